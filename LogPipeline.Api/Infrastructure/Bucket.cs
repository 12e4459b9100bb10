using LogPipeline.Data;

namespace LogPipeline.Api.Infrastructure;

/// <summary>A bucket size of the stats endpoints, with the longest range it may cover.</summary>
internal sealed record Bucket(string Name, TimeSpan Size, TimeSpan MaxRange)
{
    public static readonly Bucket[] All =
    [
        new("1m", TimeSpan.FromMinutes(1), TimeSpan.FromDays(1)),
        new("5m", TimeSpan.FromMinutes(5), TimeSpan.FromDays(7)),
        new("1h", TimeSpan.FromHours(1), QueryParsing.MaxRange),
    ];

    public static Bucket Default => All[1];

    public static Bucket? Parse(string? text, QueryErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Default;
        }

        var bucket = Array.Find(All, b => string.Equals(b.Name, text.Trim(), StringComparison.OrdinalIgnoreCase));
        if (bucket is null)
        {
            errors.Add("bucket", "bucket must be one of 1m, 5m, 1h.");
        }

        return bucket;
    }

    /// <summary>The start of the bucket holding <paramref name="t"/>; buckets are aligned to their size in UTC.</summary>
    public DateTime Floor(DateTime t) => TimeBuckets.Floor(t, Size.Ticks);

    /// <summary>
    /// The buckets that overlap <paramref name="range"/>, returned whole: the first starts at or before
    /// its start, the last ends at or after its end.
    /// </summary>
    public (DateTime First, DateTime End) Cover(TimeRange range)
    {
        var first = Floor(range.FromUtc);
        var end = Floor(range.ToUtc);
        return (first, end == range.ToUtc ? end : end + Size);
    }

    public IEnumerable<DateTime> Starts(DateTime first, DateTime end)
    {
        for (var t = first; t < end; t += Size)
        {
            yield return t;
        }
    }
}
