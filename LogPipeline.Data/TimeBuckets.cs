namespace LogPipeline.Data;

/// <summary>Time buckets aligned to their size in UTC, as the store keys its minutes, five minutes and hours.</summary>
public static class TimeBuckets
{
    /// <summary>The start of the bucket of <paramref name="unitTicks"/> that holds <paramref name="utc"/>.</summary>
    public static DateTime Floor(DateTime utc, long unitTicks) => new(utc.Ticks - (utc.Ticks % unitTicks), DateTimeKind.Utc);
}
