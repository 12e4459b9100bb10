using LogPipeline.Api.Infrastructure;
using LogPipeline.Api.Model;
using LogPipeline.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LogPipeline.Api.Apis;

/// <summary>Anomalies the processor detected (error rate against each service's baseline).</summary>
public static class AnomaliesApi
{
    public static RouteGroupBuilder MapAnomaliesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/anomalies").WithTags("Anomalies");

        api.MapGet("", GetAnomalies)
            .WithName("GetAnomalies")
            .WithSummary("Anomalies overlapping the range: open ones first, then the newest start first");

        return api;
    }

    [ProducesResponseType<ItemList<AnomalyItem>>(StatusCodes.Status200OK, Description = "Anomalies of the range: service, kind, start and end (open while it lasts), observed and expected values")]
    public static async Task<Results<Ok<ItemList<AnomalyItem>>, ValidationProblem>> GetAnomalies(
        [AsParameters] AnomaliesQuery query, LogStoreContext db, TimeProvider time, CancellationToken cancellationToken)
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

        var (from, to) = (r.FromUtc, db.LowerOrUpperBound(r.ToUtc));
        var anomalies = db.Anomalies.AsNoTracking()
            .Where(a => a.StartedAtUtc < to && (a.EndedAtUtc == null || a.EndedAtUtc > from));
        if (service is not null)
        {
            anomalies = anomalies.WhereTextIs(db, a => a.Service, service);
        }

        var rows = await anomalies
            .OrderByDescending(a => a.EndedAtUtc == null).ThenByDescending(a => a.StartedAtUtc).ThenByDescending(a => a.Id)
            .Take(limit)
            .Select(a => new { a.Id, a.Service, a.Kind, a.StartedAtUtc, a.EndedAtUtc, a.Observed, a.Expected })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var items = rows.Select(a => new AnomalyItem(
            a.Id, a.Service, a.Kind, a.StartedAtUtc, a.EndedAtUtc, Finite(a.Observed), Finite(a.Expected), a.EndedAtUtc is null)).ToList();
        return TypedResults.Ok(new ItemList<AnomalyItem>(items));
    }

    // JSON has no NaN or infinity; a baseline of zero can make a ratio infinite.
    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
