namespace LogPipeline.Data;

/// <summary>The whole minutes at a range's edges, before its first and after its last whole hour (<c>error_minute</c>).</summary>
public sealed class ErrorMinute : ErrorBucket;
