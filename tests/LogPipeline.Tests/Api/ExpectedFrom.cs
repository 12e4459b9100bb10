extern alias api;
using LogPipeline.Api.Model;
using LogPipeline.Formats;

namespace LogPipeline.Tests.Api;

internal static class ExpectedFrom
{
    public static DateTime Floor(DateTimeOffset t, TimeSpan size)
    {
        var utc = t.UtcDateTime;
        return new DateTime(utc.Ticks - (utc.Ticks % size.Ticks), DateTimeKind.Utc);
    }

    public static string Level(LogLevel level) => level.ToString().ToLowerInvariant();

    public static string Key(LogEvent e) => $"{e.Timestamp.UtcTicks}|{e.Timestamp.Offset}|{e.Service}|{Level(e.Level)}|{e.Message}";

    public static string Key(LogItem i) => $"{i.Timestamp.UtcTicks}|{i.Timestamp.Offset}|{i.Service}|{i.Level}|{i.Message}";

    /// <summary>The nearest-rank percentile of raw values, the definition LatencyHistogram.Percentile follows.</summary>
    public static double NearestRank(IReadOnlyList<double> sorted, double q) => sorted[(int)Math.Max(1, Math.Ceiling(q * sorted.Count)) - 1];
}
