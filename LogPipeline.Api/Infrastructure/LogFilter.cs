using LogPipeline.Data;
using LogLevel = LogPipeline.Formats.LogLevel;

namespace LogPipeline.Api.Infrastructure;

/// <summary>
/// The filters of the log search, its count and the tail, parsed and checked. The search and the
/// count select their rows through <see cref="InRange"/> alone, so they cannot disagree on what matches.
/// </summary>
internal sealed record LogFilter(string? Service, LogLevel? MinLevel, string? Search, string? TraceId, string? Host, long? Fingerprint)
{
    public static LogFilter? Parse(string? service, string? level, string? q, string? traceId, QueryErrors errors, string? host = null, string? fingerprint = null)
    {
        var filter = new LogFilter(
            QueryParsing.Service(service, errors),
            QueryParsing.Level(level, errors),
            QueryParsing.Search(q, errors),
            QueryParsing.TraceId(traceId, errors),
            QueryParsing.Host(host, errors),
            QueryParsing.Fingerprint(fingerprint, errors));
        return errors.Any ? null : filter;
    }

    /// <summary>True when the per-minute aggregates (by service and level) can answer how many rows match.</summary>
    public bool AggregatesCanCount => Search is null && TraceId is null && Host is null && Fingerprint is null;

    public IQueryable<LogEventRow> Apply(IQueryable<LogEventRow> rows, LogStoreContext db)
    {
        if (Service is { } service)
        {
            rows = rows.WhereTextIs(db, e => e.Service, service);
        }

        if (Host is { } host)
        {
            rows = rows.WhereTextIs(db, e => e.Host, host);
        }

        if (MinLevel is { } level)
        {
            rows = rows.Where(e => e.Level >= level);
        }

        if (Fingerprint is { } fingerprint)
        {
            rows = rows.Where(e => e.Fingerprint == fingerprint);
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

    /// <summary>The matching rows of [from, to), before the cursor's (time, id) when there is one.</summary>
    public IQueryable<LogEventRow> InRange(IQueryable<LogEventRow> rows, LogStoreContext db, TimeRange range, (DateTime Timestamp, long Id)? before = null)
    {
        var (from, to) = (db.LowerOrUpperBound(range.FromUtc), db.LowerOrUpperBound(range.ToUtc));
        rows = Apply(rows, db);
        if (TraceId is not null)
        {
            // Answered by ix_log_events_minute_trace: one seek per minute of the range.
            var sqlite = !db.IsMariaDb();
            rows = rows.WhereTraceTimeIn(sqlite, from, to);
            return before is { } b ? rows.WhereTraceBefore(sqlite, b.Timestamp, b.Id) : rows;
        }

        rows = rows.Where(e => e.TimestampUtc >= from && e.TimestampUtc < to);
        if (before is { } c)
        {
            var (t, id) = c;
            rows = rows.Where(e => e.TimestampUtc < t || (e.TimestampUtc == t && e.Id < id));
        }

        return rows;
    }
}
