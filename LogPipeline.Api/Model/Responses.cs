namespace LogPipeline.Api.Model;

/// <summary>A list answer: <c>{ "items": [...] }</c>.</summary>
public sealed record ItemList<T>(IReadOnlyList<T> Items);

/// <summary>One page of log events, newest first; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record LogPage(IReadOnlyList<LogItem> Items, string? NextCursor);

/// <summary>How many log events in [<see cref="From"/>, <see cref="To"/>) match a search's filters.</summary>
/// <param name="Count">The matches; with <see cref="Capped"/>, the cap (there are more).</param>
/// <param name="Capped">True when counting stopped at <c>Api:CountCap</c>.</param>
/// <param name="Source">
/// <c>aggregates</c>: whole minutes from the per-minute aggregates (only a service and a level were given),
/// which leave late events out, so this counts on-time events; <c>events</c>: the matching rows, counted.
/// </param>
/// <param name="From">The range's start (UTC), the default filled in.</param>
/// <param name="To">The range's end (UTC, exclusive).</param>
public sealed record LogCount(long Count, bool Capped, string Source, DateTime From, DateTime To);

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

/// <summary>The HTTP access fields of a log event.</summary>
public sealed record HttpDetails(string? Method, string? Path, int? Status, double? DurationMs, long? Bytes);

/// <summary>A time series answer: the bucket size and one series per key.</summary>
public sealed record SeriesResponse<TPoint>(string Bucket, IReadOnlyList<Series<TPoint>> Series);

/// <summary>The points of one key (a level or a service), one per bucket of the range, oldest first.</summary>
public sealed record Series<TPoint>(string Key, IReadOnlyList<TPoint> Points);

/// <summary>Events and raw bytes in the bucket starting at <see cref="T"/> (UTC).</summary>
public sealed record VolumePoint(DateTime T, long Count, long Bytes);

/// <summary>Events, errors (level error or fatal) and their ratio in the bucket starting at <see cref="T"/>.</summary>
public sealed record ErrorRatePoint(DateTime T, long Total, long Errors, double Rate);

/// <summary>HTTP requests and duration percentiles (ms) in the bucket; the percentiles are null when there were none.</summary>
public sealed record LatencyPoint(DateTime T, long Count, double? P50, double? P95, double? P99);

/// <summary>A message template and how often it was logged in the range.</summary>
/// <param name="FirstSeen">The first occurrence in the range.</param>
/// <param name="LastSeen">The last occurrence in the range.</param>
public sealed record TopError(
    string Service,
    string Fingerprint,
    string? Template,
    long Count,
    string? SampleMessage,
    string? Level,
    DateTime FirstSeen,
    DateTime LastSeen);

/// <summary>A detected anomaly; <see cref="Open"/> while it has not ended. Observed and expected are null if not finite.</summary>
public sealed record AnomalyItem(
    long Id,
    string Service,
    string Kind,
    DateTime StartedAt,
    DateTime? EndedAt,
    double? Observed,
    double? Expected,
    bool Open);

/// <summary>A service that has logged: the start of the last minute it logged in and its events of all time.</summary>
public sealed record ServiceItem(string Name, DateTime LastSeen, long Events);

/// <summary>
/// A dead letter as stored: reason and detail, the source record's position, key and host, the
/// value's size and SHA-256 (the value itself is on the dead-letter topic) and a readable preview.
/// </summary>
public sealed record DeadLetterItem(
    long Id,
    string Reason,
    string Detail,
    string Topic,
    int Partition,
    long Offset,
    string? Key,
    string? Host,
    int Size,
    string Sha256,
    string Preview,
    DateTime RecordTime,
    DateTime DeadLetteredAt);
