using LogPipeline.Formats;

namespace LogPipeline.Tests.Wire;

/// <summary>Events compared field by field, and a round trip through a format checked against <see cref="WireExpectations"/>.</summary>
internal static class WireAssert
{
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
        var context = WireExpectations.ContextFor(e);
        var line = LogFormatter.Format(e, format);
        Assert.True(LogParser.TryParse(line, context, out var parsed, out var detected, out var error), $"{format}: {error} in {line}");
        Assert.Equal(format, detected);
        Same(WireExpectations.Expected(e, format, context), parsed);
        return parsed;
    }
}
