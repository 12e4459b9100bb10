using System.Globalization;
using LogPipeline.Api.Model;
using LogPipeline.Data;

namespace LogPipeline.Tests.Api;

/// <summary>
/// The hourly and five-minute rollups the processor wrote beside its minute rows hold exactly the
/// minutes' sums, and the stats answers read from them (1h and 5m buckets) are the answers the minute
/// rows give.
/// </summary>
public abstract class RollupTests(ApiStore store)
{
    [Collection("api-store-sqlite")]
    public sealed class OnSqlite(SqliteApiStore store) : RollupTests(store);

    [Collection("api-store-mariadb")]
    public sealed class OnMariaDb(MariaDbApiStore store) : RollupTests(store);

    private static DateTime Hour(DateTime t) => Floor(t, TimeSpan.TicksPerHour);

    private static DateTime Floor(DateTime t, long unit) => new(t.Ticks - (t.Ticks % unit), DateTimeKind.Utc);

    [Theory]
    [InlineData("hour", TimeSpan.TicksPerHour)]
    [InlineData("5m", 5 * TimeSpan.TicksPerMinute)]
    public async Task RollupRowsHoldTheSumsOfTheirMinutes(string suffix, long unit)
    {
        var minutes = (await store.Store.VolumeAsync())
            .GroupBy(v => (Floor(v.Key.Minute, unit), v.Key.Service, v.Key.Level))
            .ToDictionary(g => g.Key, g => (g.Sum(v => v.Value.Count), g.Sum(v => v.Value.Bytes)));
        var rollup = (await store.Store.RowsAsync($"SELECT bucket_start_utc, service, level, count, bytes FROM volume_{suffix}"))
            .ToDictionary(r => (r.Time("bucket_start_utc"), r.Text("service"), (LogPipeline.Formats.LogLevel)r.Long("level")),
                r => (r.Long("count"), r.Long("bytes")));
        Assert.NotEmpty(rollup);
        Assert.Equal(minutes.OrderBy(p => p.Key), rollup.OrderBy(p => p.Key));

        var bins = (await store.Store.LatencyHistogramAsync())
            .GroupBy(h => (Floor(h.Key.Minute, unit), h.Key.Service, h.Key.Bin))
            .ToDictionary(g => g.Key, g => g.Sum(h => h.Value));
        var packed = new Dictionary<(DateTime, string, short), long>();
        foreach (var r in await store.Store.RowsAsync($"SELECT bucket_start_utc, service, count, bins FROM latency_histogram_{suffix}"))
        {
            var counts = new long[LatencyHistogram.BinCount];
            LatencyHistogram.AddPacked(r.Text("bins"), counts);
            Assert.Equal(counts.Sum(), r.Long("count"));
            for (var bin = 0; bin < counts.Length; bin++)
            {
                if (counts[bin] != 0)
                {
                    packed[(r.Time("bucket_start_utc"), r.Text("service"), (short)bin)] = counts[bin];
                }
            }
        }

        Assert.NotEmpty(packed);
        Assert.Equal(bins.Where(b => b.Value != 0).OrderBy(p => p.Key), packed.OrderBy(p => p.Key));
    }

    /// <summary>
    /// Migration 7 fills the five-minute rollups of a store that had only minutes: run again on the
    /// processor's rows (the script empties the tables first), it must give back exactly those rows.
    /// </summary>
    [Fact]
    public async Task TheFiveMinuteMigrationFillsWhatTheProcessorWrites()
    {
        async Task<List<string>> SnapshotAsync()
        {
            var rows = (await store.Store.RowsAsync("SELECT bucket_start_utc, service, level, count, bytes FROM volume_5m"))
                .Select(r => string.Join('|', r.Time("bucket_start_utc").ToString("O", CultureInfo.InvariantCulture), r["service"], r.Long("level"), r.Long("count"), r.Long("bytes")))
                .ToList();
            foreach (var r in await store.Store.RowsAsync("SELECT bucket_start_utc, service, count, bins FROM latency_histogram_5m"))
            {
                var counts = new long[LatencyHistogram.BinCount];
                LatencyHistogram.AddPacked(r.Text("bins"), counts);
                rows.Add(string.Join('|', r.Time("bucket_start_utc").ToString("O", CultureInfo.InvariantCulture), r["service"], r.Long("count"),
                    string.Join(',', counts.Select((c, bin) => (c, bin)).Where(x => x.c != 0).Select(x => $"{x.bin}:{x.c}"))));
            }

            rows.Sort(StringComparer.Ordinal);
            return rows;
        }

        var written = await SnapshotAsync();
        Assert.Contains(written, r => r.Contains(':', StringComparison.Ordinal));
        var migration = new SchemaMigrator(store.Store.Provider).Migrations.Single(m => m.Name == "five_minute_rollups");
        foreach (var statement in SchemaMigrator.SplitStatements(migration.Sql))
        {
            await store.Store.ScalarAsync(statement);
        }

        Assert.Equal(written, await SnapshotAsync());
    }

    [Theory]
    [InlineData("error_hour", TimeSpan.TicksPerHour)]
    [InlineData("error_minute", TimeSpan.TicksPerMinute)]
    public async Task ErrorBucketsCountTheRawEventsOfTheirHourOrMinute(string table, long unit)
    {
        // Only what the processor stored from the scenario's topic: other tests insert raw rows of their own.
        var raw = (await store.Store.RowsAsync(
                "SELECT timestamp_utc, service, fingerprint FROM log_events WHERE fingerprint IS NOT NULL AND source_topic = 'logs.raw'"))
            .Select(r => (At: r.Time("timestamp_utc"), Service: r.Text("service"), Fingerprint: r.Long("fingerprint")))
            .GroupBy(e => (new DateTime(e.At.Ticks - (e.At.Ticks % unit), DateTimeKind.Utc), e.Service, e.Fingerprint))
            .ToDictionary(g => g.Key, g => (g.LongCount(), g.Min(e => e.At), g.Max(e => e.At)));
        var hours = (await store.Store.RowsAsync($"SELECT bucket_start_utc, service, fingerprint, count, first_seen_utc, last_seen_utc FROM {table}"))
            .ToDictionary(r => (r.Time("bucket_start_utc"), r.Text("service"), r.Long("fingerprint")),
                r => (r.Long("count"), r.Time("first_seen_utc"), r.Time("last_seen_utc")));
        Assert.NotEmpty(raw);
        Assert.Equal(raw.OrderBy(p => p.Key), hours.Where(h => raw.ContainsKey(h.Key)).OrderBy(p => p.Key));
    }

    [Fact]
    public async Task TopErrorsFromHoursMinutesAndRawEdgesEqualTheRawEvents()
    {
        var raw = (await store.Store.RowsAsync("SELECT timestamp_utc, service FROM log_events WHERE fingerprint IS NOT NULL"))
            .Select(r => (At: r.Time("timestamp_utc"), Service: r.Text("service"))).ToList();
        var times = raw.Select(e => e.At).Order().ToList();
        Assert.NotEmpty(times);
        var (first, middle, last) = (times[0], times[times.Count / 2], times[^1]);

        // Whole hours around everything, between whole minutes (error_hour with error_minute at both edges);
        // the scenario's range to the tick (raw seconds, then minutes, and hours when it crosses one); from an
        // odd tick inside the events to whole hours after them; within one minute (raw only).
        foreach (var (from, to) in new[]
        {
            (Hour(first).AddHours(-1).AddMinutes(7), Hour(last).AddHours(2).AddMinutes(-5)),
            (first.AddMinutes(-1), last.AddMinutes(1)),
            (middle.AddTicks(3), Hour(last).AddHours(3)),
            (middle.AddTicks(-1), middle.AddSeconds(20)),
        })
        {
            var expected = raw.Where(e => e.At >= from && e.At < to).GroupBy(e => e.Service, StringComparer.Ordinal)
                .Select(g => (Service: g.Key, Count: g.LongCount(), First: g.Min(e => e.At), Last: g.Max(e => e.At)))
                .OrderBy(g => g.Service, StringComparer.Ordinal).ToList();
            var top = await store.GetAsync<ItemList<TopError>>($"/api/errors/top?{ApiStore.Range(from, to)}&limit=1000");
            var actual = top.Items.GroupBy(i => i.Service, StringComparer.Ordinal)
                .Select(g => (Service: g.Key, Count: g.Sum(i => i.Count), First: g.Min(i => i.FirstSeen.ToUniversalTime()), Last: g.Max(i => i.LastSeen.ToUniversalTime())))
                .OrderBy(g => g.Service, StringComparer.Ordinal).ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData("1h", TimeSpan.TicksPerHour)]
    [InlineData("5m", 5 * TimeSpan.TicksPerMinute)]
    public async Task RollupAnswersEqualTheMinutesSummedPerBucket(string bucket, long unit)
    {
        foreach (var groupBy in new[] { "service", "level" })
        {
            var perMinute = await store.GetAsync<SeriesResponse<VolumePoint>>($"/api/stats/volume?{store.AllRange}&bucket=1m&groupBy={groupBy}");
            var perBucket = await store.GetAsync<SeriesResponse<VolumePoint>>($"/api/stats/volume?{store.AllRange}&bucket={bucket}&groupBy={groupBy}");
            var summed = perMinute.Series.SelectMany(s => s.Points.Select(p => (s.Key, T: Floor(p.T.ToUniversalTime(), unit), p.Count, p.Bytes)))
                .GroupBy(p => (p.Key, p.T)).Where(g => g.Sum(p => p.Count) > 0)
                .ToDictionary(g => g.Key, g => (g.Sum(p => p.Count), g.Sum(p => p.Bytes)));
            var rolled = perBucket.Series.SelectMany(s => s.Points.Where(p => p.Count > 0).Select(p => KeyValuePair.Create((s.Key, p.T.ToUniversalTime()), (p.Count, p.Bytes))));
            Assert.NotEmpty(summed);
            Assert.Equal(summed.OrderBy(p => p.Key), rolled.OrderBy(p => p.Key));
        }

        // Error rates: events and errors of the bucket are its minutes' sums.
        var errorsPerMinute = await store.GetAsync<SeriesResponse<ErrorRatePoint>>($"/api/stats/errors?{store.AllRange}&bucket=1m");
        var errorsPerBucket = await store.GetAsync<SeriesResponse<ErrorRatePoint>>($"/api/stats/errors?{store.AllRange}&bucket={bucket}");
        var errorSums = errorsPerMinute.Series.SelectMany(s => s.Points.Select(p => (s.Key, T: Floor(p.T.ToUniversalTime(), unit), p.Total, p.Errors)))
            .GroupBy(p => (p.Key, p.T)).Where(g => g.Sum(p => p.Total) > 0)
            .ToDictionary(g => g.Key, g => (Total: g.Sum(p => p.Total), Errors: g.Sum(p => p.Errors)));
        var errorRolled = errorsPerBucket.Series.SelectMany(s => s.Points.Where(p => p.Total > 0).Select(p => KeyValuePair.Create((s.Key, p.T.ToUniversalTime()), (p.Total, p.Errors))));
        Assert.Contains(errorSums, p => p.Value.Errors > 0);
        Assert.Equal(errorSums.OrderBy(p => p.Key), errorRolled.OrderBy(p => p.Key));

        // Latency: percentiles of the bucket from its minutes' bins, as the minute path computes them.
        var bins = (await store.Store.LatencyHistogramAsync()).GroupBy(h => (h.Key.Service, Floor(h.Key.Minute, unit)))
            .ToDictionary(g => g.Key, g => g.Select(h => ((int)h.Key.Bin, h.Value)).ToList());
        var latency = await store.GetAsync<SeriesResponse<LatencyPoint>>($"/api/stats/latency?{store.AllRange}&bucket={bucket}");
        var points = latency.Series.SelectMany(s => s.Points.Where(p => p.Count > 0).Select(p => (s.Key, p))).ToList();
        Assert.NotEmpty(points);
        Assert.Equal(bins.Count, points.Count);
        foreach (var (service, p) in points)
        {
            var b = bins[(service, p.T.ToUniversalTime())];
            Assert.Equal(b.Sum(x => x.Value), p.Count);
            Assert.Equal(LatencyHistogram.Percentile(b, 0.50), p.P50);
            Assert.Equal(LatencyHistogram.Percentile(b, 0.95), p.P95);
            Assert.Equal(LatencyHistogram.Percentile(b, 0.99), p.P99);
        }
    }
}
