using LogPipeline.Formats;

namespace LogPipeline.Testing;

/// <summary>What each format is documented to carry (see <see cref="LogFormatter"/>), as expectations.</summary>
public static class WireExpectations
{
    private static readonly string[] CombinedAttributes = [WireAttributes.ClientIp, WireAttributes.Referer, WireAttributes.UserAgent];

    /// <summary>A context under which every format can reproduce <paramref name="e"/>'s fields.</summary>
    public static LogParseContext ContextFor(LogEvent e)
        => new("ctx-service", "ctx-host", e.Timestamp.AddSeconds(3), e.Timestamp.Offset);

    public static LogEvent Expected(LogEvent e, LogFormat format, in LogParseContext context) => format switch
    {
        LogFormat.Json => e,
        LogFormat.Combined => e with
        {
            Timestamp = Seconds(e.Timestamp),
            Service = context.FallbackService!,
            Host = context.FallbackHost!,
            Level = e.Http!.Status >= 500 ? LogLevel.Error : e.Http.Status >= 400 ? LogLevel.Warn : LogLevel.Info,
            Message = $"{e.Http.Method} {e.Http.Path} HTTP/1.1",
            Http = e.Http with { DurationMs = Math.Round(e.Http.DurationMs, MidpointRounding.AwayFromZero) },
            TraceId = null,
            SpanId = null,
            Attributes = Only(e.Attributes, CombinedAttributes),
        },
        LogFormat.Rfc5424 or LogFormat.Logfmt => e with
        {
            Timestamp = e.Timestamp.AddTicks(-(e.Timestamp.Ticks % 10)),
            Http = e.Http is null ? null : e.Http with { DurationMs = Math.Round(e.Http.DurationMs, 3, MidpointRounding.AwayFromZero) },
        },
        LogFormat.Rfc3164 => e with
        {
            Timestamp = Seconds(e.Timestamp),
            Level = e.Level == LogLevel.Trace ? LogLevel.Debug : e.Level,
            Http = null,
            TraceId = null,
            SpanId = null,
            Attributes = Only(e.Attributes, [WireAttributes.Pid]),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    private static DateTimeOffset Seconds(DateTimeOffset t) => t.AddTicks(-(t.Ticks % TimeSpan.TicksPerSecond));

    private static Dictionary<string, string>? Only(IReadOnlyDictionary<string, string>? attributes, string[] keys)
    {
        var kept = attributes?.Where(p => keys.Contains(p.Key) && p.Value is not ("" or "-")).ToDictionary(p => p.Key, p => p.Value);
        return kept is { Count: > 0 } ? kept : null;
    }
}
