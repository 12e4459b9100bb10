using System.Globalization;
using LogPipeline.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LogPipeline.Tests.Api;

/// <summary>
/// The trace query is answered by ix_log_events_minute_trace (minute_bucket, trace_id) on both
/// engines, the store's minute_bucket is what <see cref="MinuteBuckets.Of"/> computes, and narrowing
/// by buckets changes no answer.
/// </summary>
public abstract class TraceIndexTests(ApiStore store)
{
    [Collection("api-store-sqlite")]
    public sealed class OnSqlite(SqliteApiStore store) : TraceIndexTests(store);

    [Collection("api-store-mariadb")]
    public sealed class OnMariaDb(MariaDbApiStore store) : TraceIndexTests(store);

    private static IQueryable<LogEventRow> TraceQuery(LogStoreContext db, string traceId, DateTime from, DateTime to, bool buckets)
    {
        var rows = db.LogEvents.AsNoTracking().Where(e => e.TraceId == traceId);
        rows = buckets
            ? rows.WhereTraceTimeIn(db.Database.IsSqlite(), from, to)
            : rows.Where(e => e.TimestampUtc >= from && e.TimestampUtc < to);

        return rows.OrderByDescending(e => e.TimestampUtc).ThenByDescending(e => e.Id).Take(1001);
    }

    [Theory]
    [InlineData(24)]
    [InlineData(24 * 31)] // more buckets than MaxListed: the bucket range
    public async Task TheTraceQueryUsesTheMinuteTraceIndex(int hours)
    {
        using var scope = store.Api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LogStoreContext>();
        var to = DateTime.UtcNow;
        var query = TraceQuery(db, "0af7651916cd43dd8448eb211c80319c", to.AddHours(-hours), to, buckets: true);

        await db.Database.OpenConnectionAsync();
        if (!db.Database.IsSqlite())
        {
            // InnoDB recounts a table's rows in the background some seconds after 10 % of it changed;
            // a plan taken before that (CI once saw a full scan, the row count still that of a
            // half-filled store) is not the plan of a settled store. ANALYZE settles it now.
            await db.Database.ExecuteSqlRawAsync("ANALYZE TABLE log_events");
        }

        await using var command = query.CreateDbCommand();
        command.CommandText = (db.Database.IsSqlite() ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + command.CommandText;
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
            }
        }

        var text = string.Join("\n", plan);
        Assert.True(text.Contains("ix_log_events_minute_trace", StringComparison.Ordinal), text + "\n" + command.CommandText[..Math.Min(600, command.CommandText.Length)]);
        if (db.Database.IsSqlite() && hours == 24)
        {
            // One seek per listed bucket with the trace id: both columns of the key.
            Assert.Contains("USING INDEX ix_log_events_minute_trace (minute_bucket=? AND trace_id=?)", text, StringComparison.Ordinal);
        }
        else if (!db.Database.IsSqlite())
        {
            Assert.Contains("range", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheStoresMinuteBucketIsMinutesSince1970()
    {
        using var scope = store.Api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LogStoreContext>();
        var rows = await db.LogEvents.AsNoTracking().Select(e => new { e.TimestampUtc, e.MinuteBucket }).ToListAsync();

        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal(MinuteBuckets.Of(r.TimestampUtc), r.MinuteBucket));
    }

    [Fact]
    public async Task BucketsChangeNoAnswerAtTheRangesEdges()
    {
        using var scope = store.Api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LogStoreContext>();
        var events = await db.LogEvents.AsNoTracking().Where(e => e.TraceId != null).OrderBy(e => e.TimestampUtc).ToListAsync();
        var checkedTraces = 0;
        foreach (var trace in events.GroupBy(e => e.TraceId!).Take(20))
        {
            var first = trace.Min(e => e.TimestampUtc);
            var last = trace.Max(e => e.TimestampUtc);

            // Edges exactly on events, at whole minutes around them, and the whole range.
            foreach (var (from, to) in new[]
            {
                (first, last),
                (first, last.AddTicks(10)),
                (first.AddTicks(10), last.AddTicks(10)),
                (new DateTime(first.Ticks - (first.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc), new DateTime(last.Ticks - (last.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc)),
                (first.AddDays(-1), last.AddDays(1)),
            })
            {
                var old = await TraceQuery(db, trace.Key, from, to, buckets: false).Select(e => e.Id).ToListAsync();
                var now = await TraceQuery(db, trace.Key, from, to, buckets: true).Select(e => e.Id).ToListAsync();
                Assert.Equal(old, now);
            }

            checkedTraces++;
        }

        Assert.True(checkedTraces > 0, "the scenario has no trace with more than one event");
    }
}
