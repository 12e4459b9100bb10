using LogPipeline.Api.Model;
using LogPipeline.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LogPipeline.Api.Apis;

/// <summary>The services that have logged, from the per-minute volume (all time).</summary>
public static class ServicesApi
{
    public static RouteGroupBuilder MapServicesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/services").WithTags("Services");

        api.MapGet("", GetServices)
            .WithName("GetServices")
            .WithSummary("Every service that has logged, by name, with its last active minute and event count");

        return api;
    }

    public static async Task<Ok<ItemList<ServiceItem>>> GetServices(LogStoreContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await db.VolumeMinutes.AsNoTracking()
            .GroupBy(v => v.Service)
            .Select(g => new { Name = g.Key, LastSeen = g.Max(v => v.BucketStartUtc), Events = g.Sum(v => v.Count) })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var items = rows
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .Select(r => new ServiceItem(r.Name, DateTime.SpecifyKind(r.LastSeen, DateTimeKind.Utc), r.Events))
            .ToList();
        return TypedResults.Ok(new ItemList<ServiceItem>(items));
    }
}
