using System.ComponentModel;
using LogPipeline.Api.Infrastructure;
using LogPipeline.Api.Model;
using LogPipeline.Data;
using LogLevel = LogPipeline.Kafka.Wire.LogLevel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LogPipeline.Api.Apis;

/// <summary>
/// Time series from the per-minute aggregates. Every series has one point per bucket of the range
/// (zeros where nothing was logged); buckets overlapping the range are returned whole.
/// </summary>
/// <remarks>
/// Buckets of whole hours (1h) are summed from the hourly rollups (<c>volume_hour</c>,
/// <c>latency_histogram_hour</c>), which the processor writes in the transaction that writes their
/// minutes, so they always equal the sum of the minute rows (tests compare the two on both engines);
/// a week is then 168 rows per service and level instead of 10,080. Smaller buckets read the minute
/// rows. REVIEW: a day of 5m latency still reads every minute's histogram bins (about 0.5-1 s at 10
/// million events a week, bench --queries); a 5-minute rollup would be the next step.
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

        var minutes = s.Rows(db.VolumeMinutes.AsNoTracking(), db);
        var hours = s.Rows(db.VolumeHours.AsNoTracking(), db);
        var sums = new Dictionary<(string Key, DateTime Bucket), (long Count, long Bytes)>();
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        var levels = new SortedSet<LogLevel>();
        if (byService)
        {
            var grouped = s.Hourly
                ? hours.GroupBy(v => new { v.BucketStartUtc, v.Service })
                    .Select(g => new { g.Key.BucketStartUtc, g.Key.Service, Count = g.Sum(v => v.Count), Bytes = g.Sum(v => v.Bytes) })
                : minutes.GroupBy(v => new { v.BucketStartUtc, v.Service })
                    .Select(g => new { g.Key.BucketStartUtc, g.Key.Service, Count = g.Sum(v => v.Count), Bytes = g.Sum(v => v.Bytes) });
            await foreach (var g in grouped.AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                keys.Add(g.Service);
                Add(sums, (g.Service, s.Bucket.Floor(g.BucketStartUtc)), g.Count, g.Bytes);
            }
        }
        else
        {
            var grouped = s.Hourly
                ? hours.GroupBy(v => new { v.BucketStartUtc, v.Level })
                    .Select(g => new { g.Key.BucketStartUtc, g.Key.Level, Count = g.Sum(v => v.Count), Bytes = g.Sum(v => v.Bytes) })
                : minutes.GroupBy(v => new { v.BucketStartUtc, v.Level })
                    .Select(g => new { g.Key.BucketStartUtc, g.Key.Level, Count = g.Sum(v => v.Count), Bytes = g.Sum(v => v.Bytes) });
            await foreach (var g in grouped.AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                levels.Add(g.Level);
                Add(sums, (LogNames.Level(g.Level), s.Bucket.Floor(g.BucketStartUtc)), g.Count, g.Bytes);
            }
        }

        var ordered = byService ? keys.ToList() : levels.Select(LogNames.Level).ToList();
        var series = ordered.Select(key => new Series<VolumePoint>(key, s.Starts().Select(t =>
        {
            var (count, bytes) = sums.GetValueOrDefault((key, t));
            return new VolumePoint(t, count, bytes);
        }).ToList())).ToList();
        return TypedResults.Ok(new SeriesResponse<VolumePoint>(s.Bucket.Name, series));

        static void Add(Dictionary<(string, DateTime), (long Count, long Bytes)> sums, (string, DateTime) at, long count, long bytes)
        {
            var (c, b) = sums.GetValueOrDefault(at);
            sums[at] = (c + count, b + bytes);
        }
    }

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

        var grouped = s.Hourly
            ? s.Rows(db.VolumeHours.AsNoTracking(), db)
                .GroupBy(v => new { v.BucketStartUtc, v.Service })
                .Select(g => new
                {
                    g.Key.BucketStartUtc,
                    g.Key.Service,
                    Total = g.Sum(v => v.Count),
                    Errors = g.Sum(v => v.Level >= LogLevel.Error ? v.Count : 0L),
                })
            : s.Rows(db.VolumeMinutes.AsNoTracking(), db)
                .GroupBy(v => new { v.BucketStartUtc, v.Service })
                .Select(g => new
                {
                    g.Key.BucketStartUtc,
                    g.Key.Service,
                    Total = g.Sum(v => v.Count),
                    Errors = g.Sum(v => v.Level >= LogLevel.Error ? v.Count : 0L),
                });
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

        // Histograms merge exactly by adding bin counts, so a bucket's percentiles come from its summed
        // minutes (or hours), added into one array per bucket and service.
        var bins = new SortedDictionary<string, Dictionary<DateTime, long[]>>(StringComparer.Ordinal);
        long[] CountsOf(string service, DateTime at)
        {
            if (!bins.TryGetValue(service, out var buckets))
            {
                bins[service] = buckets = [];
            }

            var t = s.Bucket.Floor(at);
            if (!buckets.TryGetValue(t, out var counts))
            {
                buckets[t] = counts = new long[LatencyHistogram.BinCount];
            }

            return counts;
        }

        if (s.Hourly)
        {
            var hours = s.Rows(db.LatencyHistogramHours.AsNoTracking(), db).Select(h => new { h.BucketStartUtc, h.Service, h.Bins });
            await foreach (var h in hours.AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                LatencyHistogram.AddPacked(h.Bins, CountsOf(h.Service, h.BucketStartUtc));
            }
        }
        else
        {
            var rows = s.Rows(db.LatencyHistogramMinutes.AsNoTracking(), db)
                .Select(h => new { h.BucketStartUtc, h.Service, h.Bin, h.Count });
            await foreach (var h in rows.AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                CountsOf(h.Service, h.BucketStartUtc)[h.Bin] += h.Count;
            }
        }

        var series = bins.Select(p => new Series<LatencyPoint>(p.Key, s.Starts().Select(t =>
        {
            var total = p.Value.TryGetValue(t, out var counts) ? counts.Sum() : 0;
            if (total == 0)
            {
                return new LatencyPoint(t, 0, null, null, null);
            }

            return new LatencyPoint(
                t,
                total,
                LatencyHistogram.Percentile(counts, total, 0.50),
                LatencyHistogram.Percentile(counts, total, 0.95),
                LatencyHistogram.Percentile(counts, total, 0.99));
        }).ToList())).ToList();
        return TypedResults.Ok(new SeriesResponse<LatencyPoint>(s.Bucket.Name, series));
    }
}

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

    /// <summary>Buckets of whole hours, covering whole hours: the hourly rollups hold exactly their sums.</summary>
    public bool Hourly => Bucket.Size.Ticks % TimeSpan.TicksPerHour == 0;

    /// <summary>The rollup rows (minutes or hours) of the covered buckets, of the service if one was asked for.</summary>
    public IQueryable<T> Rows<T>(IQueryable<T> rows, LogStoreContext db)
        where T : class, IServiceBucket
    {
        var (first, end) = (First, End);
        rows = rows.Where(r => r.BucketStartUtc >= first && r.BucketStartUtc < end);
        return Service is { } service ? rows.WhereTextIs(db, r => r.Service, service) : rows;
    }
}

/// <summary>Query of <c>GET /api/stats/errors</c> and <c>/api/stats/latency</c>.</summary>
public sealed record StatsQueryParameters(
    [property: Description("Start of the range, ISO-8601 (default: to minus one hour)")] string? From,
    [property: Description("End of the range, ISO-8601 (default: now)")] string? To,
    [property: Description("1m (range up to 1 day), 5m (up to 7 days, the default) or 1h (up to 31 days)")] string? Bucket,
    [property: Description("Only this service")] string? Service);

/// <summary>Query of <c>GET /api/stats/volume</c>.</summary>
public sealed record VolumeQuery(
    [property: Description("Start of the range, ISO-8601 (default: to minus one hour)")] string? From,
    [property: Description("End of the range, ISO-8601 (default: now)")] string? To,
    [property: Description("1m (range up to 1 day), 5m (up to 7 days, the default) or 1h (up to 31 days)")] string? Bucket,
    [property: Description("level (default) or service")] string? GroupBy,
    [property: Description("Only this service")] string? Service);
