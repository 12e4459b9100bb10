using LogPipeline.Api.Infrastructure;
using LogPipeline.Api.Model;
using LogPipeline.Data;
using LogPipeline.Formats;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LogPipeline.Api.Apis;

/// <summary>The most frequent error templates (warnings and worse, by fingerprint).</summary>
public static class ErrorsApi
{
    public static RouteGroupBuilder MapErrorsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/errors").WithTags("Errors");

        api.MapGet("/top", GetTopErrors)
            .WithName("GetTopErrors")
            .WithSummary("Message templates of warnings and worse, by how often they were logged in the range");

        return api;
    }

    [ProducesResponseType<ItemList<TopError>>(StatusCodes.Status200OK, Description = "Error templates (fingerprints) of the range per service, most frequent first: count, template, a sample message, level, first and last seen")]
    public static async Task<Results<Ok<ItemList<TopError>>, ValidationProblem>> GetTopErrors(
        [AsParameters] TopErrorsQuery query, LogStoreContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(db);
        var errors = new QueryErrors();
        var range = QueryParsing.Range(query.From, query.To, time, QueryParsing.MaxRange, errors);
        var service = QueryParsing.Service(query.Service, errors);
        var limit = QueryParsing.Limit(query.Limit, errors);
        if (errors.Any || range is not { } r)
        {
            return errors.ToProblem();
        }

        // Counted as the raw events of the range give them (error_fingerprints, all time, names them), from
        // what the processor writes with the raw rows: the whole hours inside the range from error_hour, the
        // whole minutes before the first and after the last whole hour from error_minute, and only the
        // seconds before the first and after the last whole minute from the raw rows themselves.
        var (firstMinute, endMinute) = (Ceiling(r.FromUtc, TimeSpan.TicksPerMinute), TimeBuckets.Floor(r.ToUtc, TimeSpan.TicksPerMinute));
        var (firstHour, endHour) = (Ceiling(r.FromUtc, TimeSpan.TicksPerHour), TimeBuckets.Floor(r.ToUtc, TimeSpan.TicksPerHour));
        var counts = new Dictionary<(string Service, long Fingerprint), (long Count, DateTime First, DateTime Last)>();
        if (firstMinute >= endMinute)
        {
            await AddRawAsync(r.FromUtc, r.ToUtc).ConfigureAwait(false);
        }
        else
        {
            await AddRawAsync(r.FromUtc, firstMinute).ConfigureAwait(false);
            await AddRawAsync(endMinute, r.ToUtc).ConfigureAwait(false);
            if (firstHour < endHour)
            {
                await AddBucketsAsync(db.ErrorMinutes, firstMinute, firstHour).ConfigureAwait(false);
                await AddBucketsAsync(db.ErrorHours, firstHour, endHour).ConfigureAwait(false);
                await AddBucketsAsync(db.ErrorMinutes, endHour, endMinute).ConfigureAwait(false);
            }
            else
            {
                await AddBucketsAsync(db.ErrorMinutes, firstMinute, endMinute).ConfigureAwait(false);
            }
        }

        // Services ordered by code point, as SQLite does: MariaDB's collation would order ties differently.
        var top = counts.Select(c => (c.Key.Service, c.Key.Fingerprint, c.Value.Count, c.Value.First, c.Value.Last))
            .OrderByDescending(t => t.Count).ThenBy(t => t.Service, StringComparer.Ordinal).ThenBy(t => t.Fingerprint)
            .Take(limit)
            .ToList();

        var fingerprints = top.Select(t => t.Fingerprint).Distinct().ToList();
        var services = top.Select(t => t.Service).Distinct().ToList();
        var names = await db.ErrorFingerprints.AsNoTracking()
            .Where(f => fingerprints.Contains(f.Fingerprint) && services.Contains(f.Service))
            .Select(f => new { f.Service, f.Fingerprint, f.Template, f.SampleMessage, f.Level })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var byKey = names.ToDictionary(f => (f.Service, f.Fingerprint));

        var items = top.Select(t =>
        {
            var name = byKey.GetValueOrDefault((t.Service, t.Fingerprint));
            return new TopError(
                t.Service,
                Fingerprints.Format(t.Fingerprint),
                name?.Template,
                t.Count,
                name?.SampleMessage,
                name is null ? null : LogLevelNames.Name(name.Level),
                DateTime.SpecifyKind(t.First, DateTimeKind.Utc),
                DateTime.SpecifyKind(t.Last, DateTimeKind.Utc));
        }).ToList();
        return TypedResults.Ok(new ItemList<TopError>(items));

        void Add(string s, long fingerprint, long count, DateTime first, DateTime last)
        {
            counts[(s, fingerprint)] = counts.TryGetValue((s, fingerprint), out var c)
                ? (c.Count + count, first < c.First ? first : c.First, last > c.Last ? last : c.Last)
                : (count, first, last);
        }

        // error_hour and error_minute compare their service exactly (a binary collation on MariaDB).
        async Task AddBucketsAsync<T>(IQueryable<T> buckets, DateTime fromUtc, DateTime toUtc)
            where T : ErrorBucket
        {
            if (fromUtc >= toUtc)
            {
                return;
            }

            var rows = buckets.AsNoTracking().Where(h => h.BucketStartUtc >= fromUtc && h.BucketStartUtc < toUtc);
            if (service is not null)
            {
                rows = rows.WhereTextIs(db, h => h.Service, service);
            }

            var grouped = rows.GroupBy(h => new { h.Service, h.Fingerprint })
                .Select(g => new { g.Key.Service, g.Key.Fingerprint, Count = g.Sum(h => h.Count), First = g.Min(h => h.FirstSeenUtc), Last = g.Max(h => h.LastSeenUtc) });
            await foreach (var g in grouped.AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                Add(g.Service, g.Fingerprint, g.Count, g.First, g.Last);
            }
        }

        async Task AddRawAsync(DateTime fromUtc, DateTime toUtc)
        {
            if (fromUtc >= toUtc)
            {
                return;
            }

            var (from, to) = (db.LowerOrUpperBound(fromUtc), db.LowerOrUpperBound(toUtc));
            var events = db.LogEvents.AsNoTracking()
                .Where(e => e.Fingerprint != null && e.TimestampUtc >= from && e.TimestampUtc < to);
            if (service is not null)
            {
                events = events.WhereTextIs(db, e => e.Service, service);
            }

            // Grouped by the exact service: MariaDB's collation would merge "Checkout" with "checkout".
            var groups = db.IsMariaDb()
                ? events.GroupBy(e => new { Service = EF.Functions.Collate(e.Service, StoreRules.MariaDbExactCollation), e.Fingerprint })
                : events.GroupBy(e => new { e.Service, e.Fingerprint });
            var rows = groups.Select(g => new
            {
                g.Key.Service,
                Fingerprint = g.Key.Fingerprint!.Value,
                Count = g.LongCount(),
                First = g.Min(e => e.TimestampUtc),
                Last = g.Max(e => e.TimestampUtc),
            });
            await foreach (var g in rows.AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                Add(g.Service, g.Fingerprint, g.Count, g.First, g.Last);
            }
        }
    }

    // Past the last whole unit before DateTime.MaxValue there is none: MaxValue, so the range is read raw.
    private static DateTime Ceiling(DateTime utc, long unit) =>
        utc.Ticks % unit == 0 ? utc
        : DateTime.MaxValue.Ticks - TimeBuckets.Floor(utc, unit).Ticks < unit ? DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc)
        : TimeBuckets.Floor(utc, unit).AddTicks(unit);
}
