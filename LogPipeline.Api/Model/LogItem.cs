namespace LogPipeline.Api.Model;

/// <summary>A stored log event as the API shows it.</summary>
/// <param name="Timestamp">When it happened, with the emitting host's original UTC offset.</param>
/// <param name="Level">trace, debug, info, warn, error or fatal.</param>
/// <param name="Format">The wire format it arrived in: json, combined, rfc5424, rfc3164 or logfmt.</param>
/// <param name="Fingerprint">The message template's fingerprint as 16 hex digits (warnings and worse).</param>
/// <param name="IsLate">True when it arrived after its minute had closed, so the aggregates leave it out.</param>
public sealed record LogItem(
    long Id,
    DateTimeOffset Timestamp,
    string Service,
    string Host,
    string Level,
    string Message,
    string Format,
    HttpDetails? Http,
    string? TraceId,
    string? SpanId,
    string? Fingerprint,
    bool IsLate,
    IReadOnlyDictionary<string, string>? Attributes);
