namespace LogPipeline.Tests.Dashboard;

public sealed record ItemDto(
    long Id, DateTimeOffset Timestamp, string Service, string Host, string Level, string Message,
    HttpDto? Http, string? TraceId, string? SpanId, string? Fingerprint, bool IsLate, Dictionary<string, string>? Attributes);
