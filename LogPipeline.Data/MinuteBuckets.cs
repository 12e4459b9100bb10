using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace LogPipeline.Data;

/// <summary>
/// The store's <c>minute_bucket</c> column (whole minutes from 1970-01-01 UTC, truncated, as both
/// engines compute it) on this side, so a time-bounded trace query can name the buckets it needs and
/// be answered by <c>ix_log_events_minute_trace</c> (minute_bucket, trace_id).
/// </summary>
public static class MinuteBuckets
{
    /// <summary>At most this many buckets are listed in one query (a 24 h range needs 1,443); a longer range scans the bucket range.</summary>
    public const int MaxListed = 1500;

    private static readonly MethodInfo ContainsBucket = typeof(Enumerable).GetMethods()
        .Single(m => m.Name == nameof(Enumerable.Contains) && m.GetParameters().Length == 2)
        .MakeGenericMethod(typeof(long?));

    public static long Of(DateTime utc) => (utc - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMinute;

    /// <summary>
    /// Every bucket a row with <paramref name="fromUtc"/> &lt;= time &lt; <paramref name="toUtc"/> can
    /// have, one more at each end so that rounding on either engine never loses a row.
    /// </summary>
    public static (long First, long Last) Range(DateTime fromUtc, DateTime toUtc) => (Of(fromUtc) - 1, Of(toUtc) + 1);

    /// <summary>
    /// Rows whose minute bucket can hold a time in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>):
    /// the buckets listed as constants (<c>minute_bucket IN (...)</c>: with an equality on trace_id, one
    /// index seek per bucket on both engines), or the bucket range when there are more than
    /// <see cref="MaxListed"/>. Only narrows: the caller keeps its own time condition.
    /// </summary>
    public static IQueryable<LogEventRow> WhereMinuteBucketIn(this IQueryable<LogEventRow> rows, DateTime fromUtc, DateTime toUtc)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var (first, last) = Range(fromUtc, toUtc);
        if (last - first + 1 > MaxListed)
        {
            return rows.Where(e => e.MinuteBucket >= first && e.MinuteBucket <= last);
        }

        var buckets = new long?[last - first + 1];
        for (var i = 0; i < buckets.Length; i++)
        {
            buckets[i] = first + i;
        }

        // A constant, not a closure member: EF inlines its values as an IN list, which both planners
        // turn into seeks (a parameter would become a JSON array the planners cannot see into).
        var row = Expression.Parameter(typeof(LogEventRow), "e");
        var test = Expression.Call(ContainsBucket, Expression.Constant(buckets), Expression.Property(row, nameof(LogEventRow.MinuteBucket)));
        return rows.Where(Expression.Lambda<Func<LogEventRow, bool>>(test, row));
    }

    /// <summary>
    /// Rows in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>) found through the minute-trace
    /// index: the time condition plus <see cref="WhereMinuteBucketIn"/>. On SQLite the time is compared
    /// under RTRIM (the same order for these values, which never end in spaces), which keeps its
    /// planner off ix_log_events_timestamp: without statistics it prefers walking the whole time range
    /// in order to a sort of the few rows the seeks find.
    /// </summary>
    public static IQueryable<LogEventRow> WhereTraceTimeIn(this IQueryable<LogEventRow> rows, bool sqlite, DateTime fromUtc, DateTime toUtc) =>
        (sqlite
            ? rows.Where(e => EF.Functions.Collate(e.TimestampUtc, "RTRIM") >= fromUtc && EF.Functions.Collate(e.TimestampUtc, "RTRIM") < toUtc)
            : rows.Where(e => e.TimestampUtc >= fromUtc && e.TimestampUtc < toUtc))
        .WhereMinuteBucketIn(fromUtc, toUtc);

    /// <summary>Rows before a cursor's (time, id), compared as <see cref="WhereTraceTimeIn"/> does on SQLite.</summary>
    public static IQueryable<LogEventRow> WhereTraceBefore(this IQueryable<LogEventRow> rows, bool sqlite, DateTime afterTimestamp, long afterId) =>
        sqlite
            ? rows.Where(e => EF.Functions.Collate(e.TimestampUtc, "RTRIM") < afterTimestamp || (e.TimestampUtc == afterTimestamp && e.Id < afterId))
            : rows.Where(e => e.TimestampUtc < afterTimestamp || (e.TimestampUtc == afterTimestamp && e.Id < afterId));
}
