namespace LogPipeline.Tests.Dashboard;

public sealed record HttpDto(string? Method, string? Path, int? Status, double? DurationMs, long? Bytes);
