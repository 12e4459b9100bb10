using LogPipeline.Formats;

namespace LogPipeline.Tests.Wire;

/// <summary>What each format is documented to carry (see <see cref="LogFormatter"/>), as expectations.</summary>
internal static class WireAssert
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

    /// <summary>Field by field, because records compare dictionaries by reference; offsets compared too.</summary>
    public static void Same(LogEvent expected, LogEvent actual)
    {
        Assert.Equal(expected.Timestamp, actual.Timestamp);
        Assert.Equal(expected.Timestamp.Offset, actual.Timestamp.Offset);
        Assert.Equal(expected.Service, actual.Service);
        Assert.Equal(expected.Host, actual.Host);
        Assert.Equal(expected.Level, actual.Level);
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(expected.Http, actual.Http);
        Assert.Equal(expected.TraceId, actual.TraceId);
        Assert.Equal(expected.SpanId, actual.SpanId);
        Assert.Equal(
            (expected.Attributes ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal),
            (actual.Attributes ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    public static LogEvent RoundTrip(LogEvent e, LogFormat format)
    {
        var context = ContextFor(e);
        var line = LogFormatter.Format(e, format);
        Assert.True(LogParser.TryParse(line, context, out var parsed, out var detected, out var error), $"{format}: {error} in {line}");
        Assert.Equal(format, detected);
        Same(Expected(e, format, context), parsed);
        return parsed;
    }

    private static DateTimeOffset Seconds(DateTimeOffset t) => t.AddTicks(-(t.Ticks % TimeSpan.TicksPerSecond));

    private static Dictionary<string, string>? Only(IReadOnlyDictionary<string, string>? attributes, string[] keys)
    {
        var kept = attributes?.Where(p => keys.Contains(p.Key) && p.Value is not ("" or "-")).ToDictionary(p => p.Key, p => p.Value);
        return kept is { Count: > 0 } ? kept : null;
    }
}
