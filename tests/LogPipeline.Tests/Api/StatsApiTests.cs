using LogPipeline.Api.Model;
using LogPipeline.Data;
using LogPipeline.Formats;

namespace LogPipeline.Tests.Api;

public abstract class StatsApiTests(ApiStore store)
{
    [Collection("api-store-sqlite")]
    public sealed class OnSqlite(SqliteApiStore store) : StatsApiTests(store);

    [Collection("api-store-mariadb")]
    public sealed class OnMariaDb(MariaDbApiStore store) : StatsApiTests(store);

    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task VolumeByLevelSumsEventsAndBytesPerBucket()
    {
        var answer = await store.GetAsync<SeriesResponse<VolumePoint>>($"/api/stats/volume?{store.AllRange}&bucket=5m&groupBy=level");

        Assert.Equal("5m", answer.Bucket);
        var expected = store.Scenario.Valid
            .GroupBy(s => (Key: ExpectedFrom.Level(s.Expected.Level), T: ExpectedFrom.Floor(s.Expected.Timestamp, FiveMinutes)))
            .ToDictionary(g => g.Key, g => (Count: (long)g.Count(), Bytes: g.Sum(s => (long)s.Value.Length)));
        Assert.Equal(expected.OrderBy(e => e.Key).ToList(), NonZero(answer, p => p.T, p => (p.Count, p.Bytes), p => p.Count > 0).OrderBy(e => e.Key).ToList());
        Assert.Equal(
            Enum.GetValues<LogLevel>().Select(ExpectedFrom.Level).Where(l => expected.Keys.Any(k => k.Key == l)),
            answer.Series.Select(s => s.Key));
        AssertEveryBucketOnce(answer.Series, p => p.T, FiveMinutes);
    }

    [Fact]
    public async Task VolumeByServiceOfOneServicePerMinute()
    {
        var service = store.Events.First().Service;
        var answer = await store.GetAsync<SeriesResponse<VolumePoint>>($"/api/stats/volume?{store.AllRange}&bucket=1m&groupBy=service&service={service}");

        var expected = store.Scenario.Valid.Where(s => s.Expected.Service == service)
            .GroupBy(s => (Key: service, T: ExpectedFrom.Floor(s.Expected.Timestamp, TimeSpan.FromMinutes(1))))
            .ToDictionary(g => g.Key, g => (Count: (long)g.Count(), Bytes: g.Sum(s => (long)s.Value.Length)));
        Assert.Equal([service], answer.Series.Select(s => s.Key));
        Assert.Equal(expected.OrderBy(e => e.Key).ToList(), NonZero(answer, p => p.T, p => (p.Count, p.Bytes), p => p.Count > 0).OrderBy(e => e.Key).ToList());
        AssertEveryBucketOnce(answer.Series, p => p.T, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task ErrorRatesCountErrorAndFatalPerServiceAndBucket()
    {
        var answer = await store.GetAsync<SeriesResponse<ErrorRatePoint>>($"/api/stats/errors?{store.AllRange}&bucket=1m");

        var expected = store.Events
            .GroupBy(e => (Key: e.Service, T: ExpectedFrom.Floor(e.Timestamp, TimeSpan.FromMinutes(1))))
            .ToDictionary(g => g.Key, g => (Total: (long)g.Count(), Errors: (long)g.Count(e => e.Level >= LogLevel.Error)));
        Assert.Equal(expected.OrderBy(e => e.Key).ToList(), NonZero(answer, p => p.T, p => (p.Total, p.Errors), p => p.Total > 0).OrderBy(e => e.Key).ToList());
        Assert.Equal(expected.Keys.Select(k => k.Key).Distinct().Order(StringComparer.Ordinal), answer.Series.Select(s => s.Key));
        Assert.All(answer.Series.SelectMany(s => s.Points), p => Assert.Equal(p.Total == 0 ? 0 : (double)p.Errors / p.Total, p.Rate, 12));
        Assert.Contains(answer.Series.SelectMany(s => s.Points), p => p.Errors > 0);
        AssertEveryBucketOnce(answer.Series, p => p.T, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task LatencyPercentilesAreWithinTheHistogramsErrorOfTheTrueOnes()
    {
        var answer = await store.GetAsync<SeriesResponse<LatencyPoint>>($"/api/stats/latency?{store.AllRange}&bucket=5m");

        var expected = store.Events.Where(e => e.Http is not null)
            .GroupBy(e => (Key: e.Service, T: ExpectedFrom.Floor(e.Timestamp, FiveMinutes)))
            .ToDictionary(g => g.Key, g => g.Select(e => e.Http!.DurationMs).Order().ToList());
        var points = answer.Series.SelectMany(s => s.Points.Select(p => (s.Key, p))).Where(x => x.p.Count > 0).ToDictionary(x => (x.Key, x.p.T), x => x.p);
        Assert.Equal(expected.Keys.Order(), points.Keys.Order());
        foreach (var (key, durations) in expected)
        {
            var point = points[key];
            Assert.Equal(durations.Count, point.Count);
            foreach (var (q, actual) in new[] { (0.50, point.P50), (0.95, point.P95), (0.99, point.P99) })
            {
                var truth = ExpectedFrom.NearestRank(durations, q);
                Assert.True(
                    Math.Abs(actual!.Value - truth) <= (truth * (Math.Sqrt(LatencyHistogram.Ratio) - 1)) + 1e-9 || truth <= LatencyHistogram.MinMs,
                    $"{key} p{q * 100}: {actual} vs {truth}");
            }
        }

        Assert.All(answer.Series.SelectMany(s => s.Points).Where(p => p.Count == 0), p => Assert.Null(p.P50));
        AssertEveryBucketOnce(answer.Series, p => p.T, FiveMinutes);
    }

    [Fact]
    public async Task BucketsOverlappingTheRangeAreReturnedWhole()
    {
        var events = store.Events.OrderBy(e => e.Timestamp).ToList();
        var from = ExpectedFrom.Floor(events[0].Timestamp, FiveMinutes).AddMinutes(5).AddSeconds(17);
        var to = from.AddMinutes(3);
        var answer = await store.GetAsync<SeriesResponse<VolumePoint>>($"/api/stats/volume?{ApiStore.Range(from, to)}&bucket=5m&groupBy=service");

        var bucket = from.AddSeconds(-17);
        Assert.All(answer.Series, s => Assert.Equal(bucket, Assert.Single(s.Points).T));
        Assert.Equal(events.Count(e => ExpectedFrom.Floor(e.Timestamp, FiveMinutes) == bucket), answer.Series.Sum(s => s.Points[0].Count));
    }

    private static List<KeyValuePair<(string Key, DateTime T), TValue>> NonZero<TPoint, TValue>(
        SeriesResponse<TPoint> answer, Func<TPoint, DateTime> t, Func<TPoint, TValue> value, Func<TPoint, bool> any) =>
        answer.Series.SelectMany(s => s.Points.Where(any).Select(p => KeyValuePair.Create((s.Key, t(p)), value(p)))).ToList();

    private static void AssertEveryBucketOnce<TPoint>(IReadOnlyList<Series<TPoint>> series, Func<TPoint, DateTime> t, TimeSpan size)
    {
        Assert.NotEmpty(series);
        var times = series.Select(s => s.Points.Select(t).ToList()).ToList();
        Assert.All(times, x => Assert.Equal(times[0], x));
        Assert.All(times[0], x => Assert.Equal(0, x.Ticks % size.Ticks));
        Assert.All(times[0].Zip(times[0].Skip(1)), p => Assert.Equal(size, p.Second - p.First));
    }
}
