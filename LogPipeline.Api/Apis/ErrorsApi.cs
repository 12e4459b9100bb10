using System.ComponentModel;
using LogPipeline.Api.Infrastructure;
using LogPipeline.Api.Model;
using LogPipeline.Data;
using Microsoft.AspNetCore.Http.HttpResults;
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

        // Counted from the raw events, so the counts are the range's; error_fingerprints (all time) names them.
        var (from, to) = (db.LowerOrUpperBound(r.FromUtc), db.LowerOrUpperBound(r.ToUtc));
        var events = db.LogEvents.AsNoTracking()
            .Where(e => e.Fingerprint != null && e.TimestampUtc >= from && e.TimestampUtc < to);
        if (service is not null)
        {
            events = events.WhereTextIs(db, e => e.Service, service);
        }

        // Services are grouped and ordered by code point, as SQLite does: MariaDB's collation would merge
        // "Checkout" with "checkout" and order ties differently, so limit= would pick other templates.
        var groups = db.IsMariaDb()
            ? events.GroupBy(e => new { Service = EF.Functions.Collate(e.Service, StoreRules.MariaDbExactCollation), e.Fingerprint })
            : events.GroupBy(e => new { e.Service, e.Fingerprint });
        var top = await groups
            .Select(g => new
            {
                g.Key.Service,
                Fingerprint = g.Key.Fingerprint!.Value,
                Count = g.LongCount(),
                First = g.Min(e => e.TimestampUtc),
                Last = g.Max(e => e.TimestampUtc),
            })
            .OrderByDescending(g => g.Count).ThenBy(g => g.Service).ThenBy(g => g.Fingerprint)
            .Take(limit)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

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
                name is null ? null : LogNames.Level(name.Level),
                DateTime.SpecifyKind(t.First, DateTimeKind.Utc),
                DateTime.SpecifyKind(t.Last, DateTimeKind.Utc));
        }).ToList();
        return TypedResults.Ok(new ItemList<TopError>(items));
    }
}

/// <summary>Query of <c>GET /api/errors/top</c>.</summary>
public sealed record TopErrorsQuery(
    [property: Description("Start of the range, ISO-8601 (default: to minus one hour)")] string? From,
    [property: Description("End of the range, ISO-8601 (default: now)")] string? To,
    [property: Description("Only this service")] string? Service,
    [property: Description("How many templates, 1 to 1000 (default 100)")] string? Limit);
