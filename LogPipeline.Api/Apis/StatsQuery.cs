using LogPipeline.Api.Infrastructure;
using LogPipeline.Data;

namespace LogPipeline.Api.Apis;

/// <summary>The parsed query of a stats endpoint.</summary>
internal sealed record StatsQuery(Bucket Bucket, DateTime First, DateTime End, string? Service)
{
    public static StatsQuery? Parse(string? from, string? to, string? bucket, string? service, TimeProvider time, QueryErrors errors)
    {
        var b = Bucket.Parse(bucket, errors);
        var s = QueryParsing.Service(service, errors);
        var range = QueryParsing.Range(from, to, time, QueryParsing.MaxRange, errors);
        if (errors.Any || b is null || range is not { } r)
        {
            return null;
        }

        // The last bucket must end within DateTime's range (a bucket holding 9999-12-31T23:59Z would not).
        if (r.ToUtc > DateTime.MaxValue - b.Size)
        {
            errors.Add("to", $"With bucket {b.Name} to must be before {(DateTime.MaxValue - b.Size).ToString("O", System.Globalization.CultureInfo.InvariantCulture)}.");
            return null;
        }

        if (r.ToUtc - r.FromUtc > b.MaxRange)
        {
            errors.Add("bucket", $"With bucket {b.Name} the range can be at most {b.MaxRange.TotalDays:0.##} days; choose a larger bucket.");
            return null;
        }

        var (first, end) = b.Cover(r);
        return new StatsQuery(b, first, end, s);
    }

    public IEnumerable<DateTime> Starts() => Bucket.Starts(First, End);

    /// <summary>
    /// The rollup whose buckets are this query's (one row per bucket and service), else the minutes; the
    /// API's bucket sizes are 1m, 5m and 1h.
    /// </summary>
    public Rollup Rollup =>
        Bucket.Size == TimeSpan.FromHours(1) ? Rollup.Hour
        : Bucket.Size == TimeSpan.FromMinutes(5) ? Rollup.FiveMinutes
        : Rollup.Minute;

    /// <summary>The rollup rows (minutes, five minutes or hours) of the covered buckets, of the service if one was asked for.</summary>
    public IQueryable<T> Rows<T>(IQueryable<T> rows, LogStoreContext db)
        where T : class, IServiceBucket
    {
        var (first, end) = (First, End);
        rows = rows.Where(r => r.BucketStartUtc >= first && r.BucketStartUtc < end);
        return Service is { } service ? rows.WhereTextIs(db, r => r.Service, service) : rows;
    }
}
