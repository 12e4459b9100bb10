using LogPipeline.Api.Infrastructure;
using LogPipeline.Api.Model;
using LogPipeline.Data;
using LogPipeline.Formats;
using LogLevel = LogPipeline.Formats.LogLevel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LogPipeline.Api.Apis;

/// <summary>
/// Time series from the per-minute aggregates. Every series has one point per bucket of the range
/// (zeros where nothing was logged); buckets overlapping the range are returned whole.
/// </summary>
/// <remarks>
/// Each bucket size reads the rollup of its size: 1h the hourly rollups (<c>volume_hour</c>,
/// <c>latency_histogram_hour</c>), 5m the five-minute ones (<c>volume_5m</c>, <c>latency_histogram_5m</c>),
/// 1m the minute rows. The processor writes the rollups in the transaction that writes their minutes,
/// so they always equal the sum of the minute rows (<c>RollupTests</c> compare the answers on both
/// engines). A week at 5m is then 2,016 rows per service and level instead of 10,080, and 2,016 packed
/// histograms per service instead of a row per minute and bin (7 s before on 10 million events,
/// bench --queries).
/// </remarks>
public static class StatsApi
{
    public static RouteGroupBuilder MapStatsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/stats").WithTags("Stats");

        api.MapGet("/volume", GetVolume)
            .WithName("GetVolume")
            .WithSummary("Events and bytes per bucket, by level or by service");

        api.MapGet("/errors", GetErrorRates)
            .WithName("GetErrorRates")
            .WithSummary("Events, errors (error and fatal) and error rate per bucket and service");

        api.MapGet("/latency", GetLatency)
            .WithName("GetLatency")
            .WithSummary("HTTP request count and p50/p95/p99 duration (ms) per bucket and service");

        return api;
    }

    [ProducesResponseType<SeriesResponse<VolumePoint>>(StatusCodes.Status200OK, Description = "One series per level (or service) with a point for every bucket of the range: events and bytes, zeros where nothing was logged")]
    public static async Task<Results<Ok<SeriesResponse<VolumePoint>>, ValidationProblem>> GetVolume(
        [AsParameters] VolumeQuery query, LogStoreContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(db);
        var errors = new QueryErrors();
        var parsed = StatsQuery.Parse(query.From, query.To, query.Bucket, query.Service, time, errors);
        var byService = false;
        if (!string.IsNullOrWhiteSpace(query.GroupBy))
        {
            byService = string.Equals(query.GroupBy.Trim(), "service", StringComparison.OrdinalIgnoreCase);
            if (!byService && !string.Equals(query.GroupBy.Trim(), "level", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add("groupBy", "groupBy must be level or service.");
            }
        }

        if (errors.Any || parsed is not { } s)
        {
            return errors.ToProblem();
        }

        var sums = new Dictionary<(string Key, DateTime Bucket), (long Count, long Bytes)>();
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        var levels = new SortedSet<LogLevel>();
        var rows = s.Rollup switch
        {
            Rollup.Hour => VolumeSums(s.Rows(db.VolumeHours.AsNoTracking(), db), byService),
            Rollup.FiveMinutes => VolumeSums(s.Rows(db.VolumeFiveMinutes.AsNoTracking(), db), byService),
            _ => VolumeSums(s.Rows(db.VolumeMinutes.AsNoTracking(), db), byService),
        };
        await foreach (var g in rows.AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var key = byService ? g.Service : LogLevelNames.Name(g.Level);
            if (byService)
            {
                keys.Add(g.Service);
            }
            else
            {
                levels.Add(g.Level);
            }

            var at = (key, s.Bucket.Floor(g.BucketStartUtc));
            var (c, b) = sums.GetValueOrDefault(at);
            sums[at] = (c + g.Count, b + g.Bytes);
        }

        var ordered = byService ? keys.ToList() : levels.Select(LogLevelNames.Name).ToList();
        var series = ordered.Select(key => new Series<VolumePoint>(key, s.Starts().Select(t =>
        {
            var (count, bytes) = sums.GetValueOrDefault((key, t));
            return new VolumePoint(t, count, bytes);
        }).ToList())).ToList();
        return TypedResults.Ok(new SeriesResponse<VolumePoint>(s.Bucket.Name, series));
    }

    /// <summary>Events and bytes per stored bucket and service, or per stored bucket and level (Service then empty).</summary>
    private static IQueryable<VolumeSum> VolumeSums<T>(IQueryable<T> rows, bool byService)
        where T : VolumeBucket =>
        byService
            ? rows.GroupBy(v => new { v.BucketStartUtc, v.Service })
                .Select(g => new VolumeSum(g.Key.BucketStartUtc, g.Key.Service, LogLevel.Trace, g.Sum(v => v.Count), g.Sum(v => v.Bytes)))
            : rows.GroupBy(v => new { v.BucketStartUtc, v.Level })
                .Select(g => new VolumeSum(g.Key.BucketStartUtc, "", g.Key.Level, g.Sum(v => v.Count), g.Sum(v => v.Bytes)));

    /// <summary>Events and errors (error and fatal) per stored bucket and service.</summary>
    private static IQueryable<ErrorSum> ErrorSums<T>(IQueryable<T> rows)
        where T : VolumeBucket =>
        rows.GroupBy(v => new { v.BucketStartUtc, v.Service })
            .Select(g => new ErrorSum(g.Key.BucketStartUtc, g.Key.Service, g.Sum(v => v.Count), g.Sum(v => v.Level >= LogLevel.Error ? v.Count : 0L)));

    /// <summary>The packed histograms of the stored buckets.</summary>
    private static IQueryable<PackedBins> Packed<T>(IQueryable<T> rows)
        where T : LatencyHistogramBucket =>
        rows.Select(h => new PackedBins(h.BucketStartUtc, h.Service, h.Bins));

    private sealed record VolumeSum(DateTime BucketStartUtc, string Service, LogLevel Level, long Count, long Bytes);

    private sealed record ErrorSum(DateTime BucketStartUtc, string Service, long Total, long Errors);

    private sealed record PackedBins(DateTime BucketStartUtc, string Service, string Bins);

    [ProducesResponseType<SeriesResponse<ErrorRatePoint>>(StatusCodes.Status200OK, Description = "One series per service with a point for every bucket: events, errors (error and fatal) and their rate")]
    public static async Task<Results<Ok<SeriesResponse<ErrorRatePoint>>, ValidationProblem>> GetErrorRates(
        [AsParameters] StatsQueryParameters query, LogStoreContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(db);
        var errors = new QueryErrors();
        if (StatsQuery.Parse(query.From, query.To, query.Bucket, query.Service, time, errors) is not { } s)
        {
            return errors.ToProblem();
        }

        var grouped = s.Rollup switch
        {
            Rollup.Hour => ErrorSums(s.Rows(db.VolumeHours.AsNoTracking(), db)),
            Rollup.FiveMinutes => ErrorSums(s.Rows(db.VolumeFiveMinutes.AsNoTracking(), db)),
            _ => ErrorSums(s.Rows(db.VolumeMinutes.AsNoTracking(), db)),
        };
        var sums = new SortedDictionary<string, Dictionary<DateTime, (long Total, long Errors)>>(StringComparer.Ordinal);
        await foreach (var g in grouped.AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (!sums.TryGetValue(g.Service, out var points))
            {
                sums[g.Service] = points = [];
            }

            var t = s.Bucket.Floor(g.BucketStartUtc);
            var (total, errorCount) = points.GetValueOrDefault(t);
            points[t] = (total + g.Total, errorCount + g.Errors);
        }

        var series = sums.Select(p => new Series<ErrorRatePoint>(p.Key, s.Starts().Select(t =>
        {
            var (total, errorCount) = p.Value.GetValueOrDefault(t);
            return new ErrorRatePoint(t, total, errorCount, total == 0 ? 0 : (double)errorCount / total);
        }).ToList())).ToList();
        return TypedResults.Ok(new SeriesResponse<ErrorRatePoint>(s.Bucket.Name, series));
    }

    [ProducesResponseType<SeriesResponse<LatencyPoint>>(StatusCodes.Status200OK, Description = "One series per service with a point for every bucket: HTTP requests and p50/p95/p99 duration in ms (null without requests)")]
    public static async Task<Results<Ok<SeriesResponse<LatencyPoint>>, ValidationProblem>> GetLatency(
        [AsParameters] StatsQueryParameters query, LogStoreContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(db);
        var errors = new QueryErrors();
        if (StatsQuery.Parse(query.From, query.To, query.Bucket, query.Service, time, errors) is not { } s)
        {
            return errors.ToProblem();
        }

        var points = new SortedDictionary<string, Dictionary<DateTime, LatencyPoint>>(StringComparer.Ordinal);
        Dictionary<DateTime, LatencyPoint> Series(string service)
        {
            if (!points.TryGetValue(service, out var series))
            {
                points[service] = series = [];
            }

            return series;
        }

        if (s.Rollup != Rollup.Minute)
        {
            // A rollup row is one bucket of one service (its key), so its percentiles are computed from
            // its text as it is read: a week at 5m is 2,016 rows per service.
            var packed = s.Rollup == Rollup.Hour
                ? Packed(s.Rows(db.LatencyHistogramHours.AsNoTracking(), db))
                : Packed(s.Rows(db.LatencyHistogramFiveMinutes.AsNoTracking(), db));
            var reader = new PackedPercentiles();
            await foreach (var h in packed.AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var (count, p50, p95, p99) = reader.Read(h.Bins);
                Series(h.Service)[h.BucketStartUtc] = count == 0 ? new LatencyPoint(h.BucketStartUtc, 0, null, null, null) : new LatencyPoint(h.BucketStartUtc, count, p50, p95, p99);
            }
        }
        else
        {
            // Histograms merge exactly by adding bin counts: the bin rows of a bucket's minutes are added
            // into one array per bucket and service.
            var bins = new Dictionary<(string Service, DateTime Start), long[]>();
            var rows = s.Rows(db.LatencyHistogramMinutes.AsNoTracking(), db)
                .Select(h => new { h.BucketStartUtc, h.Service, h.Bin, h.Count });
            await foreach (var h in rows.AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var key = (h.Service, s.Bucket.Floor(h.BucketStartUtc));
                if (!bins.TryGetValue(key, out var counts))
                {
                    bins[key] = counts = new long[LatencyHistogram.BinCount];
                }

                counts[h.Bin] += h.Count;
            }

            foreach (var ((service, start), counts) in bins)
            {
                Series(service)[start] = Point(start, counts);
            }
        }

        var series = points.Select(p => new Series<LatencyPoint>(p.Key, s.Starts()
            .Select(t => p.Value.TryGetValue(t, out var point) ? point : new LatencyPoint(t, 0, null, null, null))
            .ToList())).ToList();
        return TypedResults.Ok(new SeriesResponse<LatencyPoint>(s.Bucket.Name, series));

        static LatencyPoint Point(DateTime t, ReadOnlySpan<long> counts)
        {
            long total = 0;
            foreach (var c in counts)
            {
                total += c;
            }

            return total == 0
                ? new LatencyPoint(t, 0, null, null, null)
                : new LatencyPoint(
                    t,
                    total,
                    LatencyHistogram.Percentile(counts, total, 0.50),
                    LatencyHistogram.Percentile(counts, total, 0.95),
                    LatencyHistogram.Percentile(counts, total, 0.99));
        }
    }
}
