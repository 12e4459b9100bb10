namespace LogPipeline.Api.Model;

/// <summary>The HTTP access fields of a log event.</summary>
public sealed record HttpDetails(string? Method, string? Path, int? Status, double? DurationMs, long? Bytes);
