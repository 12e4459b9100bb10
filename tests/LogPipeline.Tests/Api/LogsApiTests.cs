using System.Net.Http.Json;
using LogPipeline.Api.Model;
using LogPipeline.Formats;

namespace LogPipeline.Tests.Api;

public abstract class LogsApiTests(ApiStore store)
{
    [Collection("api-store-sqlite")]
    public sealed class OnSqlite(SqliteApiStore store) : LogsApiTests(store);

    [Collection("api-store-mariadb")]
    public sealed class OnMariaDb(MariaDbApiStore store) : LogsApiTests(store);

    [Fact]
    public async Task PagingWithTheCursorReturnsEveryEventOnceNewestFirst()
    {
        var items = await store.AllPagesAsync($"/api/logs?{store.AllRange}", limit: 97);

        Assert.Equal(store.Scenario.Valid.Count, items.Count);
        Assert.Equal(items.Count, items.Select(i => i.Id).Distinct().Count());
        for (var i = 1; i < items.Count; i++)
        {
            var (a, b) = (items[i - 1], items[i]);
            Assert.True(a.Timestamp > b.Timestamp || (a.Timestamp == b.Timestamp && a.Id > b.Id), $"row {i} is out of order");
        }

        Assert.Equal(store.Events.Select(ExpectedFrom.Key).Order(StringComparer.Ordinal), items.Select(ExpectedFrom.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ItemsCarryTheEventsFieldsWithTheirOriginalOffset()
    {
        var items = await store.AllPagesAsync($"/api/logs?{store.AllRange}");
        foreach (var item in items)
        {
            Assert.True(item.Fingerprint is null || System.Text.RegularExpressions.Regex.IsMatch(item.Fingerprint, "^[0-9a-f]{16}$"));
            Assert.Contains(item.Format, new[] { "json", "combined", "rfc5424", "rfc3164", "logfmt" });
            Assert.False(item.IsLate);
        }

        // The key (time, service, level, message) is not unique: combined lines have whole seconds, so two
        // requests for the same path in one second share it. Per key, the details must be the same multiset.
        var expected = store.Events.GroupBy(ExpectedFrom.Key).ToDictionary(g => g.Key, g => g.Select(Details).Order(StringComparer.Ordinal).ToList());
        foreach (var group in items.GroupBy(ExpectedFrom.Key))
        {
            Assert.Equal(expected[group.Key], group.Select(Details).Order(StringComparer.Ordinal).ToList());
        }
    }

    // Everything an item carries besides its key, as text; durations to 6 decimals (the store keeps doubles).
    private static string Details(LogEvent e) => string.Join(" | ",
        e.Timestamp.Offset, e.Host, e.TraceId, e.SpanId,
        e.Http is { } h ? $"{h.Method} {h.Path} {h.Status} {Math.Round(h.DurationMs, 6):R} {h.Bytes}" : "no http",
        e.Level >= LogLevel.Warn ? "fingerprint" : "no fingerprint",
        Attributes(e.Attributes));

    private static string Details(LogItem i) => string.Join(" | ",
        i.Timestamp.Offset, i.Host, i.TraceId, i.SpanId,
        i.Http is { } h ? $"{h.Method} {h.Path} {h.Status} {Math.Round(h.DurationMs!.Value, 6):R} {h.Bytes}" : "no http",
        i.Fingerprint is not null ? "fingerprint" : "no fingerprint",
        Attributes(i.Attributes));

    private static string Attributes(IEnumerable<KeyValuePair<string, string>>? attributes) =>
        attributes is null ? string.Empty : string.Join(", ", attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"));

    [Fact]
    public async Task ServiceAndMinimumLevelFilterAsTheScenarioSays()
    {
        var service = store.Events.First().Service;
        var items = await store.AllPagesAsync($"/api/logs?{store.AllRange}&service={service}&level=warn");

        var expected = store.Events.Where(e => e.Service == service && e.Level >= LogLevel.Warn).Select(ExpectedFrom.Key).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, items.Select(ExpectedFrom.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SearchIsACaseInsensitiveSubstringOfTheMessage()
    {
        // A word that some messages have and most do not.
        var word = store.Events.SelectMany(e => e.Message.Split(' ', '/', '=', ':', ',', '.', '"'))
            .Where(w => w.Length >= 5 && w.All(char.IsAsciiLetter))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .First(w => store.Events.Count(e => e.Message.Contains(w, StringComparison.OrdinalIgnoreCase)) is >= 5 and <= 1500);

        var items = await store.AllPagesAsync($"/api/logs?{store.AllRange}&q={Uri.EscapeDataString(word.ToUpperInvariant())}");

        var expected = store.Events.Where(e => e.Message.Contains(word, StringComparison.OrdinalIgnoreCase)).Select(ExpectedFrom.Key).Order(StringComparer.Ordinal);
        Assert.Equal(expected, items.Select(ExpectedFrom.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TraceIdFindsEveryEventOfTheTrace()
    {
        var traceId = store.Events.GroupBy(e => e.TraceId).Where(g => g.Key is not null).OrderByDescending(g => g.Count()).First().Key!;

        var items = await store.AllPagesAsync($"/api/logs?{store.AllRange}&traceId={traceId.ToUpperInvariant()}");

        Assert.Equal(
            store.Events.Where(e => e.TraceId == traceId).Select(ExpectedFrom.Key).Order(StringComparer.Ordinal),
            items.Select(ExpectedFrom.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TheRangeIsHalfOpenAndTheDefaultIsTheLastHour()
    {
        var events = store.Events.OrderBy(e => e.Timestamp).ToList();
        var from = events[100].Timestamp;
        var to = events[400].Timestamp;
        var items = await store.AllPagesAsync($"/api/logs?{ApiStore.Range(from, to)}");
        Assert.Equal(events.Count(e => e.Timestamp >= from && e.Timestamp < to), items.Count);

        // The scenario is the last quarter hour, so the default range holds all of it.
        var page = await store.GetAsync<LogPage>("/api/logs?limit=1000");
        Assert.Equal(1000, page.Items.Count);
        Assert.NotNull(page.NextCursor);
    }

    [Theory]
    [InlineData("' OR 1=1 --")]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("\\")]
    [InlineData("\"; DROP TABLE log_events; --")]
    [InlineData("%' UNION SELECT * FROM anomalies --")]
    public async Task InjectionAndWildcardsInTheSearchAreLiteralText(string q)
    {
        var items = await store.AllPagesAsync($"/api/logs?{store.AllRange}&q={Uri.EscapeDataString(q)}");

        Assert.Equal(store.Events.Count(e => e.Message.Contains(q, StringComparison.OrdinalIgnoreCase)), items.Count);
        Assert.All(items, i => Assert.Contains(q, i.Message, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(store.Scenario.Valid.Count, await store.Store.ScalarAsync("SELECT COUNT(*) FROM log_events WHERE source_topic = 'logs.raw'"));
    }

    [Fact]
    public async Task HostAndFingerprintFilterAsTheScenarioSays()
    {
        var host = store.Events.GroupBy(e => e.Host).OrderBy(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First(g => g.Count() >= 5).Key;
        var byHost = await store.AllPagesAsync($"/api/logs?{store.AllRange}&host={Uri.EscapeDataString(host)}");
        Assert.Equal(
            store.Events.Where(e => e.Host == host).Select(ExpectedFrom.Key).Order(StringComparer.Ordinal),
            byHost.Select(ExpectedFrom.Key).Order(StringComparer.Ordinal));

        // A template as top errors reports it: exactly its events (of every service that logged it).
        var top = (await store.GetAsync<ItemList<TopError>>($"/api/errors/top?{store.AllRange}&limit=1")).Items[0];
        var all = await store.AllPagesAsync($"/api/logs?{store.AllRange}");
        var byFingerprint = await store.AllPagesAsync($"/api/logs?{store.AllRange}&fingerprint={top.Fingerprint.ToUpperInvariant()}&service={Uri.EscapeDataString(top.Service)}");
        Assert.Equal(top.Count, byFingerprint.Count);
        Assert.Equal(
            all.Where(i => i.Fingerprint == top.Fingerprint && i.Service == top.Service).Select(i => i.Id).Order(),
            byFingerprint.Select(i => i.Id).Order());
    }

    [Theory]
    [InlineData("")]
    [InlineData("&level=warn")]
    [InlineData("&level=error&service=SERVICE")]
    public async Task TheCountFromTheAggregatesEqualsTheRows(string filters)
    {
        var service = store.Events.GroupBy(e => e.Service).OrderByDescending(g => g.Count()).First().Key;
        filters = filters.Replace("SERVICE", Uri.EscapeDataString(service), StringComparison.Ordinal);

        // Whole minutes only, and a range with a part of a minute at either end.
        var events = store.Events.OrderBy(e => e.Timestamp).ToList();
        foreach (var range in new[] { store.AllRange, ApiStore.Range(events[333].Timestamp, events[2222].Timestamp) })
        {
            var rows = await store.AllPagesAsync($"/api/logs?{range}{filters}");
            var count = await store.GetAsync<LogCount>($"/api/logs/count?{range}{filters}");
            Assert.Equal("aggregates", count.Source);
            Assert.False(count.Capped);
            Assert.Equal(rows.Count, count.Count);
        }
    }

    [Fact]
    public async Task AnyOtherFilterIsCountedOnTheRowsUpToTheCap()
    {
        var traceId = store.Events.GroupBy(e => e.TraceId).Where(g => g.Key is not null).OrderByDescending(g => g.Count()).First().Key!;
        var trace = await store.GetAsync<LogCount>($"/api/logs/count?{store.AllRange}&traceId={traceId}");
        Assert.Equal(new LogCount(store.Events.Count(e => e.TraceId == traceId), false, "events", trace.From, trace.To), trace);

        var word = store.Events.First(e => e.Level >= LogLevel.Warn).Message.Split(' ')[0];
        var q = await store.GetAsync<LogCount>($"/api/logs/count?{store.AllRange}&q={Uri.EscapeDataString(word)}");
        Assert.Equal(store.Events.Count(e => e.Message.Contains(word, StringComparison.OrdinalIgnoreCase)), q.Count);

        // Over the cap: the cap, said so.
        await using var api = new ApiFactory(store.Store, new Dictionary<string, string?> { ["Api:CountCap"] = "25" });
        using var client = api.CreateClient();
        var capped = await client.GetFromJsonAsync<LogCount>(new Uri($"/api/logs/count?{store.AllRange}&q=%20", UriKind.Relative), ApiStore.Json);
        Assert.Equal(25, capped!.Count);
        Assert.True(capped.Capped);
        Assert.Equal("events", capped.Source);
    }
}
