namespace LogPipeline.Processor.Pipeline;

/// <summary>Why a record goes to the dead-letter topic: a stable kebab-case code and a human detail.</summary>
public sealed record Rejection(string Reason, string Detail);
