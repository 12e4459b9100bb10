using LogPipeline.Api.Model;
using LogPipeline.Formats;

namespace LogPipeline.Tests.Api;

public abstract class ErrorsServicesAnomaliesApiTests(ApiStore store)
{
    [Collection("api-store-sqlite")]
    public sealed class OnSqlite(SqliteApiStore store) : ErrorsServicesAnomaliesApiTests(store);

    [Collection("api-store-mariadb")]
    public sealed class OnMariaDb(MariaDbApiStore store) : ErrorsServicesAnomaliesApiTests(store);

    [Fact]
    public async Task TopErrorsCountTheRangeOnlyMostFrequentFirst()
    {
        var events = store.Events.OrderBy(e => e.Timestamp).ToList();
        var from = events[events.Count / 4].Timestamp;
        var to = events[events.Count / 2].Timestamp;
        var answer = await store.GetAsync<ItemList<TopError>>($"/api/errors/top?{ApiStore.Range(from, to)}&limit=1000");

        var inRange = events.Where(e => e.Level >= LogLevel.Warn && e.Timestamp >= from && e.Timestamp < to).ToList();
        Assert.Equal(
            inRange.GroupBy(e => e.Service).Select(g => $"{g.Key}={g.Count()}").Order(StringComparer.Ordinal),
            answer.Items.GroupBy(i => i.Service).Select(g => $"{g.Key}={g.Sum(i => i.Count)}").Order(StringComparer.Ordinal));
        Assert.Equal(answer.Items.Select(i => i.Count).OrderDescending(), answer.Items.Select(i => i.Count));
        Assert.All(answer.Items, i =>
        {
            Assert.NotNull(i.Template);
            Assert.NotNull(i.SampleMessage);
            Assert.Contains(i.Level, new[] { "warn", "error", "fatal" });
            Assert.Matches("^[0-9a-f]{16}$", i.Fingerprint);
            Assert.InRange(i.FirstSeen, from.UtcDateTime, i.LastSeen);
            Assert.True(i.LastSeen < to.UtcDateTime);
        });

        // A template's count is what the search finds for its service and fingerprint in the range.
        var first = answer.Items[0];
        var found = await store.AllPagesAsync($"/api/logs?{ApiStore.Range(from, to)}&service={first.Service}&level=warn");
        Assert.Equal(first.Count, found.Count(i => i.Fingerprint == first.Fingerprint));

        var limited = await store.GetAsync<ItemList<TopError>>($"/api/errors/top?{ApiStore.Range(from, to)}&limit=2&service={first.Service}");
        Assert.Equal(2, limited.Items.Count);
        Assert.Equal(first, limited.Items[0]);
    }

    [Fact]
    public async Task ServicesListEveryServiceWithItsEventsAndLastMinute()
    {
        var answer = await store.GetAsync<ItemList<ServiceItem>>("/api/services");

        var expected = store.Events.GroupBy(e => e.Service).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ServiceItem(g.Key, ExpectedFrom.Floor(g.Max(e => e.Timestamp), TimeSpan.FromMinutes(1)), g.Count()));
        Assert.Equal(expected, answer.Items);
    }

    [Fact]
    public async Task AnomaliesOverlappingTheRangeOpenOnesFirstThenNewest()
    {
        const string service = "anomaly-probe";
        var t0 = new DateTime(2030, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        var rows = new (string Name, DateTime Start, DateTime? End)[]
        {
            ("before", t0.AddHours(-3), t0.AddHours(-2)),         // ended before the range
            ("ended-inside", t0.AddMinutes(-90), t0.AddMinutes(10)),
            ("open-old", t0.AddHours(-5), null),
            ("within", t0.AddMinutes(20), t0.AddMinutes(30)),
            ("open-new", t0.AddMinutes(40), null),
            ("after", t0.AddHours(2), null),                      // starts after the range
        };
        foreach (var (name, start, end) in rows)
        {
            await store.ExecuteAsync(
                "INSERT INTO anomalies (service, kind, started_at_utc, ended_at_utc, observed, expected, updated_at_utc) VALUES (@s, @k, @start, @end, 0.5, 0.01, @start)",
                ("@s", service), ("@k", name), ("@start", start), ("@end", end));
        }

        var answer = await store.GetAsync<ItemList<AnomalyItem>>($"/api/anomalies?{ApiStore.Range(t0, t0.AddHours(1))}&service={service}");

        Assert.Equal(["open-new", "open-old", "within", "ended-inside"], answer.Items.Select(a => a.Kind));
        Assert.All(answer.Items, a => Assert.Equal(a.EndedAt is null, a.Open));
        Assert.Equal(t0.AddMinutes(10), answer.Items[3].EndedAt);
        Assert.Equal(0.5, answer.Items[0].Observed);
        Assert.Equal(0.01, answer.Items[0].Expected);
    }
}
