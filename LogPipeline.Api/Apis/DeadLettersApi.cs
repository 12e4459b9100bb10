using System.Globalization;
using LogPipeline.Api.Infrastructure;
using LogPipeline.Api.Model;
using LogPipeline.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LogPipeline.Api.Apis;

/// <summary>Records the processor rejected, as stored with their batch: why, where from, and what they began with.</summary>
public static class DeadLettersApi
{
    public static RouteGroupBuilder MapDeadLettersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/deadletters").WithTags("Dead letters");

        api.MapGet("", GetDeadLetters)
            .WithName("GetDeadLetters")
            .WithSummary("Dead letters rejected in the range, newest first; page back with before=<the last id>");

        return api;
    }

    [ProducesResponseType<ItemList<DeadLetterItem>>(StatusCodes.Status200OK, Description = "Dead letters rejected in the range, newest first: reason, source position, size, hash and a readable preview")]
    public static async Task<Results<Ok<ItemList<DeadLetterItem>>, ValidationProblem>> GetDeadLetters(
        [AsParameters] DeadLettersQuery query, LogStoreContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(db);
        var errors = new QueryErrors();
        var range = QueryParsing.Range(query.From, query.To, time, QueryParsing.MaxRange, errors);
        var limit = QueryParsing.Limit(query.Limit, errors);
        var reason = Reason(query.Reason, errors);
        var before = Before(query.Before, errors);
        if (errors.Any || range is not { } r)
        {
            return errors.ToProblem();
        }

        var (from, to) = (r.FromUtc, db.LowerOrUpperBound(r.ToUtc));
        var rows = db.DeadLetters.AsNoTracking().Where(d => d.DeadLetteredAtUtc >= from && d.DeadLetteredAtUtc < to);
        if (reason is not null)
        {
            rows = rows.Where(d => d.Reason == reason);
        }

        if (before is { } id)
        {
            rows = rows.Where(d => d.Id < id);
        }

        var items = await rows
            .OrderByDescending(d => d.Id)
            .Take(limit)
            .Select(d => new DeadLetterItem(
                d.Id, d.Reason, d.Detail, d.SourceTopic, d.SourcePartition, d.SourceOffset, d.RecordKey, d.Host,
                d.ValueSize, d.ValueSha256, d.Preview, d.RecordTimeUtc, d.DeadLetteredAtUtc))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new ItemList<DeadLetterItem>(items));
    }

    // Reason codes are kebab-case words (invalid-utf8, too-long, ...): anything else cannot match.
    private static string? Reason(string? text, QueryErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (text.Length > StoreLimits.DeadLetterReasonLength || !text.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            errors.Add("reason", $"reason must be a reason code such as invalid-utf8: lower-case letters, digits and '-', at most {StoreLimits.DeadLetterReasonLength} characters.");
        }

        return text;
    }

    private static long? Before(string? text, QueryErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 1)
        {
            errors.Add("before", "before must be the id of a dead letter, a positive whole number.");
        }

        return id;
    }
}
