using System.Net;
using LogPipeline.Api.Model;
using LogPipeline.Formats;

namespace LogPipeline.Tests.Api;

/// <summary>
/// Where the two engines' own rules could give different answers: MariaDB's default collation folds
/// accents, treats every emoji as the same character and ignores trailing spaces; SQLite compares
/// bytes. The API defines one answer and both engines must give it. The rows are in 2031, outside
/// the scenario's range, and never in the aggregates, so the other tests do not see them.
/// </summary>
public abstract class ApiTextMatchingTests(ApiStore store)
{
    [Collection("api-store-sqlite")]
    public sealed class OnSqlite(SqliteApiStore store) : ApiTextMatchingTests(store);

    [Collection("api-store-mariadb")]
    public sealed class OnMariaDb(MariaDbApiStore store) : ApiTextMatchingTests(store);

    private static readonly DateTime T0 = new(2031, 6, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly string Around = ApiStore.Range(T0.AddHours(-1), T0.AddHours(1));
    private static long _offset;

    [Theory]
    [InlineData("échec", new[] { "Échec du paiement", "un échec" })]
    [InlineData("ÉCHEC", new[] { "Échec du paiement", "un échec" })]
    [InlineData("echec", new[] { "echec sans accent" })]
    [InlineData("🔥", new[] { "fire 🔥 alarm" })]
    [InlineData("STRASSE", new[] { "Strasse" })]
    [InlineData("  two", new[] { "one  two" })]
    public async Task SearchFoldsCaseButMatchesAccentsAndSymbolsExactly(string q, string[] expected)
    {
        const string service = "probe-search";
        if (await store.Store.ScalarAsync($"SELECT COUNT(*) FROM log_events WHERE service = '{service}'") == 0)
        {
            foreach (var message in new[] { "Échec du paiement", "un échec", "echec sans accent", "fire 🔥 alarm", "smile 😀 face", "Strasse", "Straße", "one  two", "one two" })
            {
                await InsertAsync(service, LogLevel.Info, message, T0);
            }
        }

        var items = await store.AllPagesAsync($"/api/logs?{Around}&service={service}&q={Uri.EscapeDataString(q)}");

        Assert.Equal(expected.Order(StringComparer.Ordinal), items.Select(i => i.Message).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("probe-Exact", 1)]
    [InlineData("probe-exact", 1)]
    [InlineData("PROBE-EXACT", 0)]
    [InlineData("probe-exact ", 0)]
    [InlineData("probe-éxact", 0)]
    public async Task TheServiceFilterIsAnExactMatch(string service, int expected)
    {
        if (await store.Store.ScalarAsync("SELECT COUNT(*) FROM log_events WHERE source_topic = 'text-test' AND message = 'exact service'") == 0)
        {
            await InsertAsync("probe-Exact", LogLevel.Error, "exact service", T0, fingerprint: 11);
            await InsertAsync("probe-exact", LogLevel.Error, "exact service", T0, fingerprint: 11);
        }

        var items = await store.AllPagesAsync($"/api/logs?{Around}&service={Uri.EscapeDataString(service)}");
        Assert.Equal(expected, items.Count);
        Assert.All(items, i => Assert.Equal(service, i.Service));

        var top = await store.GetAsync<ItemList<TopError>>($"/api/errors/top?{Around}&service={Uri.EscapeDataString(service)}");
        Assert.Equal(expected, top.Items.Sum(i => i.Count));
        Assert.All(top.Items, i => Assert.Equal(service, i.Service));
    }

    [Fact]
    public async Task TopErrorsBreakCountTiesByServiceInOrdinalOrder()
    {
        var at = T0.AddDays(1);
        string[] services = ["alpha-tie", "a_tie", "Zeta-tie", "aB-tie"];
        foreach (var service in services)
        {
            await InsertAsync(service, LogLevel.Warn, "tied warning", at, fingerprint: 42);
        }

        var range = ApiStore.Range(at.AddMinutes(-1), at.AddMinutes(1));
        var all = await store.GetAsync<ItemList<TopError>>($"/api/errors/top?{range}");
        var two = await store.GetAsync<ItemList<TopError>>($"/api/errors/top?{range}&limit=2");

        Assert.Equal(services.Order(StringComparer.Ordinal), all.Items.Select(i => i.Service));
        Assert.Equal(services.Order(StringComparer.Ordinal).Take(2), two.Items.Select(i => i.Service));
    }

    [Fact]
    public async Task RangeBoundsFinerThanAMicrosecondAreHonoured()
    {
        // MariaDB's DATETIME(6) holds whole microseconds and its driver drops the rest of a parameter;
        // a caller may still ask with ticks, and a bound between two microseconds must be exact.
        const string service = "probe-bounds";
        var at = T0.AddDays(2);
        await InsertAsync(service, LogLevel.Info, "on the microsecond", at);

        Assert.Empty(await store.AllPagesAsync($"/api/logs?{ApiStore.Range(at.AddTicks(5), at.AddMinutes(1))}&service={service}"));
        Assert.Single(await store.AllPagesAsync($"/api/logs?{ApiStore.Range(at.AddMinutes(-1), at.AddTicks(5))}&service={service}"));
        Assert.Single(await store.AllPagesAsync($"/api/logs?{ApiStore.Range(at.AddTicks(-5), at.AddTicks(5))}&service={service}"));
        Assert.Empty(await store.AllPagesAsync($"/api/logs?{ApiStore.Range(at.AddTicks(-5), at)}&service={service}"));
    }

    [Theory]
    [InlineData("from=0001-01-01T00:00:00Z&to=0001-01-02T00:00:00Z")]
    [InlineData("from=9999-12-30T00:00:00Z&to=9999-12-31T23:59:59.9999999Z")]
    [InlineData("from=9999-12-31T22:59:30.5Z&to=9999-12-31T23:59:59.9999999Z")]
    [InlineData("from=1000-01-01T00:00:00Z&to=1000-01-01T00:00:00.0000001Z")]
    public async Task RangesAtTheEdgesOfTimeAreAnswersOrValidationProblemsNeverErrors(string range)
    {
        foreach (var path in new[] { "/api/logs", "/api/logs?limit=1000&q=x&level=warn", "/api/stats/volume?bucket=1h", "/api/stats/errors?bucket=1m", "/api/stats/latency?bucket=5m", "/api/errors/top", "/api/anomalies" })
        {
            var url = path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + range;
            using var response = await store.Client.GetAsync(new Uri(url, UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(
                response.StatusCode == HttpStatusCode.OK || (response.StatusCode == HttpStatusCode.BadRequest && body.Contains("\"errors\":{\"to\"", StringComparison.Ordinal)),
                $"{url}: {(int)response.StatusCode} {body}");
        }
    }

    private async Task InsertAsync(string service, LogLevel level, string message, DateTime at, long? fingerprint = null)
    {
        var offset = Interlocked.Increment(ref _offset);
        await store.ExecuteAsync(
            "INSERT INTO log_events (source_topic, source_partition, source_offset, timestamp_utc, utc_offset_minutes, received_at_utc, service, host, level, message, format, fingerprint, is_late) " +
            "VALUES ('text-test', 0, @offset, @at, 0, @at, @service, 'probe-host', @level, @message, 0, @fingerprint, 0)",
            ("@offset", offset), ("@at", at), ("@service", service), ("@level", (int)level), ("@message", message), ("@fingerprint", fingerprint));
        if (fingerprint is null)
        {
            return;
        }

        // The processor writes error_hour and error_minute with the raw rows, and top errors read them.
        await CountErrorAsync("error_hour", new DateTime(at.Ticks - (at.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc));
        await CountErrorAsync("error_minute", new DateTime(at.Ticks - (at.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc));

        async Task CountErrorAsync(string table, DateTime bucket)
        {
            const string Key = "bucket_start_utc = @bucket AND service = @service AND fingerprint = @fingerprint";
            await store.ExecuteAsync(
                $"UPDATE {table} SET count = count + 1, " +
                "first_seen_utc = CASE WHEN @at < first_seen_utc THEN @at ELSE first_seen_utc END, " +
                $"last_seen_utc = CASE WHEN @at > last_seen_utc THEN @at ELSE last_seen_utc END WHERE {Key}",
                ("@bucket", bucket), ("@service", service), ("@fingerprint", fingerprint), ("@at", at));
            await store.ExecuteAsync(
                $"INSERT INTO {table} (bucket_start_utc, service, fingerprint, count, first_seen_utc, last_seen_utc) " +
                "SELECT @bucket, @service, @fingerprint, 1, @at, @at FROM log_events WHERE source_topic = 'text-test' AND source_offset = @offset " +
                $"AND NOT EXISTS (SELECT 1 FROM {table} WHERE {Key})",
                ("@bucket", bucket), ("@service", service), ("@fingerprint", fingerprint), ("@at", at), ("@offset", offset));
        }
    }
}
