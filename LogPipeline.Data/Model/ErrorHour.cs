namespace LogPipeline.Data;

/// <summary>The hours of a range (<c>error_hour</c>).</summary>
public sealed class ErrorHour : ErrorBucket;
