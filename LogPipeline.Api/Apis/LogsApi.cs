using System.ComponentModel;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LogPipeline.Api.Infrastructure;
using LogPipeline.Api.Model;
using LogPipeline.Data;
using LogPipeline.Formats;
using LogLevel = LogPipeline.Formats.LogLevel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LogPipeline.Api.Apis;

/// <summary>Search of the stored log events, and their live tail as server-sent events.</summary>
public static class LogsApi
{
    public static RouteGroupBuilder MapLogsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/logs").WithTags("Logs");

        api.MapGet("", GetLogs)
            .WithName("GetLogs")
            .WithSummary("Log events in a time range, newest first, filtered and paged with a cursor");

        api.MapGet("/count", CountLogs)
            .WithName("CountLogs")
            .WithSummary("How many log events in a time range match the filters: from the per-minute aggregates when they can answer, else counted up to Api:CountCap");

        api.MapGet("/tail", TailLogs)
            .WithName("TailLogs")
            .WithSummary("Server-sent events (type log) for each new log event that matches the filters");

        return api;
    }

    [ProducesResponseType<LogPage>(StatusCodes.Status200OK, Description = "Up to limit matching events, newest first, and nextCursor (null on the last page)")]
    public static async Task<Results<Ok<LogPage>, ValidationProblem>> GetLogs(
        [AsParameters] LogFilterQuery query,
        [Description("Page size, 1 to 1000 (default 100)")] string? limit,
        [Description("nextCursor of the previous page, to read further back")] string? cursor,
        LogStoreContext db,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(db);
        var errors = new QueryErrors();
        var range = QueryParsing.Range(query.From, query.To, time, QueryParsing.MaxRange, errors);
        var filter = LogFilter.Parse(query.Service, query.Level, query.Q, query.TraceId, errors, query.Host, query.Fingerprint);
        var pageSize = QueryParsing.Limit(limit, errors);
        (DateTime, long)? before = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (LogCursor.TryDecode(cursor, out var afterTimestamp, out var afterId))
            {
                before = (afterTimestamp, afterId);
            }
            else
            {
                errors.Add("cursor", "cursor is not a cursor this API returned; start again without it.");
            }
        }

        if (errors.Any || range is not { } r || filter is null)
        {
            return errors.ToProblem();
        }

        var rows = filter.InRange(db.LogEvents.AsNoTracking(), db, r, before);
        var page = await Project(rows.OrderByDescending(e => e.TimestampUtc).ThenByDescending(e => e.Id).Take(pageSize + 1))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var next = page.Count > pageSize ? LogCursor.Encode(page[pageSize - 1].TimestampUtc, page[pageSize - 1].Id) : null;
        return TypedResults.Ok(new LogPage(page.Take(pageSize).Select(ToItem).ToList(), next));
    }

    [ProducesResponseType<LogCount>(StatusCodes.Status200OK, Description = "The number of matches in the range, whether it was capped, and what counted it")]
    public static async Task<Results<Ok<LogCount>, ValidationProblem>> CountLogs(
        [AsParameters] LogFilterQuery query, LogStoreContext db, IOptions<ApiOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(options);
        var errors = new QueryErrors();
        var range = QueryParsing.Range(query.From, query.To, time, QueryParsing.MaxRange, errors);
        var filter = LogFilter.Parse(query.Service, query.Level, query.Q, query.TraceId, errors, query.Host, query.Fingerprint);
        if (errors.Any || range is not { } r || filter is null)
        {
            return errors.ToProblem();
        }

        var events = db.LogEvents.AsNoTracking();
        if (filter.AggregatesCanCount)
        {
            // Whole minutes from volume_minute; the parts of a minute at either end from the rows. The
            // aggregates leave late events out, so the edges do too: the count is of on-time events.
            var minute = Bucket.All[0];
            var (firstWhole, lastWhole) = (minute.Floor(r.FromUtc), minute.Floor(r.ToUtc));
            long count;
            if (firstWhole == lastWhole)
            {
                count = await OnTime(r).LongCountAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (firstWhole < r.FromUtc)
                {
                    firstWhole += minute.Size; // at most lastWhole: no overflow near the end of time
                }

                var minutes = db.VolumeMinutes.AsNoTracking().Where(v => v.BucketStartUtc >= firstWhole && v.BucketStartUtc < lastWhole);
                if (filter.Service is { } service)
                {
                    minutes = minutes.WhereTextIs(db, v => v.Service, service);
                }

                if (filter.MinLevel is { } level)
                {
                    minutes = minutes.Where(v => v.Level >= level);
                }

                count = await minutes.SumAsync(v => v.Count, cancellationToken).ConfigureAwait(false);
                if (r.FromUtc < firstWhole)
                {
                    count += await OnTime(new TimeRange(r.FromUtc, firstWhole)).LongCountAsync(cancellationToken).ConfigureAwait(false);
                }

                if (lastWhole < r.ToUtc)
                {
                    count += await OnTime(new TimeRange(lastWhole, r.ToUtc)).LongCountAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            return TypedResults.Ok(new LogCount(count, false, "aggregates", r.FromUtc, r.ToUtc));
        }

        // Counting stops one past the cap, so a broad text search over a busy month costs at most that many rows.
        var cap = options.Value.CountCap;
        var counted = await filter.InRange(events, db, r).Take(cap + 1).LongCountAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new LogCount(Math.Min(counted, cap), counted > cap, "events", r.FromUtc, r.ToUtc));

        IQueryable<LogEventRow> OnTime(TimeRange part) => filter.InRange(events, db, part).Where(e => !e.IsLate);
    }

    public static async Task<Results<EventStreamResult<LogItem>, ValidationProblem>> TailLogs(
        [AsParameters] LogTailQuery query,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId,
        LogStoreContext db,
        IOptions<ApiOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(options);
        var errors = new QueryErrors();
        var filter = LogFilter.Parse(query.Service, query.Level, query.Q, query.TraceId, errors);
        if (errors.Any || filter is null)
        {
            return errors.ToProblem();
        }

        // A reconnecting EventSource sends the id of the last event it saw: resume after it.
        var after = long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            ? last
            : await db.LogEvents.MaxAsync(e => (long?)e.Id, cancellationToken).ConfigureAwait(false) ?? 0;
        return new EventStreamResult<LogItem>(Follow(db, filter, after, options.Value, time, cancellationToken), options.Value.TailKeepAliveInterval, time);
    }

    // REVIEW: follows ids, which is exact with one writer (SQLite, or one processor per partition set on
    // MariaDB). With concurrent MariaDB writers a transaction can commit a lower id after a higher one
    // was seen, and the tail would miss that row; the search endpoint still has it.
    private static async IAsyncEnumerable<SseItem<LogItem>?> Follow(
        LogStoreContext db, LogFilter filter, long after, ApiOptions options, TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batchSize = Math.Max(1, options.TailBatchSize);
        while (true)
        {
            List<LogRow> rows;
            try
            {
                var from = after;
                rows = await Project(filter.Apply(db.LogEvents.AsNoTracking(), db).Where(e => e.Id > from).OrderBy(e => e.Id).Take(batchSize))
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
                if (rows.Count < batchSize)
                {
                    await Task.Delay(options.TailPollInterval, time, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                yield break; // the client went away
            }

            foreach (var row in rows)
            {
                after = row.Id;
                yield return new SseItem<LogItem>(ToItem(row), "log") { EventId = row.Id.ToString(CultureInfo.InvariantCulture) };
            }

            if (rows.Count == 0)
            {
                yield return null; // nothing new: the stream may owe a keep-alive
            }
        }
    }

    private static IQueryable<LogRow> Project(IQueryable<LogEventRow> rows) => rows.Select(e => new LogRow(
        e.Id, e.TimestampUtc, e.UtcOffsetMinutes, e.Service, e.Host, e.Level, e.Message, e.Format,
        e.HttpMethod, e.HttpPath, e.HttpStatus, e.HttpDurationMs, e.HttpBytes,
        e.TraceId, e.SpanId, e.Fingerprint, e.AttributesJson, e.IsLate));

    private static LogItem ToItem(LogRow r) => new(
        r.Id,
        Timestamp(r.TimestampUtc, r.UtcOffsetMinutes),
        r.Service,
        r.Host,
        LogLevelNames.Name(r.Level),
        r.Message,
        LogNames.Format(r.Format),
        r.HttpMethod is null && r.HttpStatus is null ? null : new HttpDetails(r.HttpMethod, r.HttpPath, r.HttpStatus, r.HttpDurationMs, r.HttpBytes),
        r.TraceId,
        r.SpanId,
        r.Fingerprint is { } fp ? Fingerprints.Format(fp) : null,
        r.IsLate,
        Attributes(r.AttributesJson));

    private static DateTimeOffset Timestamp(DateTime utc, short offsetMinutes)
    {
        var at = new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
        return offsetMinutes is >= -14 * 60 and <= 14 * 60 ? at.ToOffset(TimeSpan.FromMinutes(offsetMinutes)) : at;
    }

    private static Dictionary<string, string>? Attributes(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                attributes[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }

            return attributes;
        }
        catch (JsonException)
        {
            return null; // written by the processor from a parsed object, so this is a damaged row: show the event without them
        }
    }

    private sealed record LogRow(
        long Id, DateTime TimestampUtc, short UtcOffsetMinutes, string Service, string Host, LogLevel Level, string Message, byte Format,
        string? HttpMethod, string? HttpPath, short? HttpStatus, double? HttpDurationMs, long? HttpBytes,
        string? TraceId, string? SpanId, long? Fingerprint, string? AttributesJson, bool IsLate);
}
