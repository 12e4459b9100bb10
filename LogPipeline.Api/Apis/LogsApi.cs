using System.ComponentModel;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LogPipeline.Api.Infrastructure;
using LogPipeline.Api.Model;
using LogPipeline.Data;
using LogLevel = LogPipeline.Kafka.Wire.LogLevel;
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

        api.MapGet("/tail", TailLogs)
            .WithName("TailLogs")
            .WithSummary("Server-sent events (type log) for each new log event that matches the filters");

        return api;
    }

    public static async Task<Results<Ok<LogPage>, ValidationProblem>> GetLogs(
        [AsParameters] LogSearchQuery query, LogStoreContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(db);
        var errors = new QueryErrors();
        var range = QueryParsing.Range(query.From, query.To, time, QueryParsing.MaxRange, errors);
        var filter = LogFilter.Parse(query.Service, query.Level, query.Q, query.TraceId, errors);
        var limit = QueryParsing.Limit(query.Limit, errors);
        DateTime afterTimestamp = default;
        long afterId = 0;
        var hasCursor = !string.IsNullOrEmpty(query.Cursor);
        if (hasCursor && !LogCursor.TryDecode(query.Cursor!, out afterTimestamp, out afterId))
        {
            errors.Add("cursor", "cursor is not a cursor this API returned; start again without it.");
        }

        if (errors.Any || range is not { } r || filter is null)
        {
            return errors.ToProblem();
        }

        var (from, to) = (db.LowerOrUpperBound(r.FromUtc), db.LowerOrUpperBound(r.ToUtc));
        var rows = filter.Apply(db.LogEvents.AsNoTracking(), db);
        if (filter.TraceId is not null)
        {
            // Answered by ix_log_events_minute_trace: one seek per minute of the range.
            var sqlite = !db.IsMariaDb();
            rows = rows.WhereTraceTimeIn(sqlite, from, to);
            if (hasCursor)
            {
                rows = rows.WhereTraceBefore(sqlite, afterTimestamp, afterId);
            }
        }
        else
        {
            rows = rows.Where(e => e.TimestampUtc >= from && e.TimestampUtc < to);
            if (hasCursor)
            {
                rows = rows.Where(e => e.TimestampUtc < afterTimestamp || (e.TimestampUtc == afterTimestamp && e.Id < afterId));
            }
        }

        var page = await Project(rows.OrderByDescending(e => e.TimestampUtc).ThenByDescending(e => e.Id).Take(limit + 1))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var next = page.Count > limit ? LogCursor.Encode(page[limit - 1].TimestampUtc, page[limit - 1].Id) : null;
        return TypedResults.Ok(new LogPage(page.Take(limit).Select(ToItem).ToList(), next));
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
        LogNames.Level(r.Level),
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

/// <summary>The filters shared by the search and the tail, parsed and checked.</summary>
internal sealed record LogFilter(string? Service, LogLevel? MinLevel, string? Search, string? TraceId)
{
    public static LogFilter? Parse(string? service, string? level, string? q, string? traceId, QueryErrors errors)
    {
        var filter = new LogFilter(
            QueryParsing.Service(service, errors),
            QueryParsing.Level(level, errors),
            QueryParsing.Search(q, errors),
            QueryParsing.TraceId(traceId, errors));
        return errors.Any ? null : filter;
    }

    public IQueryable<LogEventRow> Apply(IQueryable<LogEventRow> rows, LogStoreContext db)
    {
        if (Service is { } service)
        {
            rows = rows.WhereTextIs(db, e => e.Service, service);
        }

        if (MinLevel is { } level)
        {
            rows = rows.Where(e => e.Level >= level);
        }

        if (Search is { } search)
        {
            rows = rows.WhereMessageContains(db, search);
        }

        if (TraceId is { } traceId)
        {
            rows = rows.Where(e => e.TraceId == traceId);
        }

        return rows;
    }
}

/// <summary>Query of <c>GET /api/logs</c>.</summary>
public sealed record LogSearchQuery(
    [property: Description("Start of the range, ISO-8601, inclusive (default: to minus one hour)")] string? From,
    [property: Description("End of the range, ISO-8601, exclusive (default: now)")] string? To,
    [property: Description("Only this service")] string? Service,
    [property: Description("Minimum level: trace, debug, info, warn, error, fatal")] string? Level,
    [property: Description("Case-insensitive text the message contains")] string? Q,
    [property: Description("Only this W3C trace id (32 hex digits)")] string? TraceId,
    [property: Description("Page size, 1 to 1000 (default 100)")] string? Limit,
    [property: Description("nextCursor of the previous page")] string? Cursor);

/// <summary>Query of <c>GET /api/logs/tail</c>.</summary>
public sealed record LogTailQuery(
    [property: Description("Only this service")] string? Service,
    [property: Description("Minimum level: trace, debug, info, warn, error, fatal")] string? Level,
    [property: Description("Case-insensitive text the message contains")] string? Q,
    [property: Description("Only this W3C trace id (32 hex digits)")] string? TraceId);
