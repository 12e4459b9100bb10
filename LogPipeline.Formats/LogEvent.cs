namespace LogPipeline.Formats;

/// <summary>
/// One log event as it travels on <c>logs.raw</c> in the JSON format (version 1). Text formats
/// (nginx combined, syslog, logfmt) carry a subset of these fields; see <see cref="LogFormatter"/>.
/// </summary>
public sealed record LogEvent
{
    public const int CurrentVersion = 1;

    /// <summary>Schema version, so that consumers can reject or upgrade what they do not know.</summary>
    public int V { get; init; } = CurrentVersion;

    /// <summary>When the event happened, with the offset of the emitting host.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    public required string Service { get; init; }

    public required string Host { get; init; }

    public required LogLevel Level { get; init; }

    public required string Message { get; init; }

    /// <summary>Present on HTTP access events.</summary>
    public HttpInfo? Http { get; init; }

    /// <summary>W3C trace id (32 lowercase hex digits) of the request that logged this, if any.</summary>
    public string? TraceId { get; init; }

    /// <summary>W3C span id (16 lowercase hex digits).</summary>
    public string? SpanId { get; init; }

    /// <summary>Free-form key/value pairs.</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }
}
