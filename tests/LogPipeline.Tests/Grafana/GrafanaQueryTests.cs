using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using LogPipeline.Data;
using LogPipeline.Tests.Infrastructure;
using LogLevel = LogPipeline.Formats.LogLevel;

namespace LogPipeline.Tests.Grafana;

/// <summary>
/// Every panel's SQL, with Grafana's macros expanded, runs against a real MariaDB filled by the real
/// processor, returns the columns Grafana needs, and answers what the produced events say.
/// </summary>
[Collection("mariadb")]
public sealed class GrafanaQueryTests(MariaDbFixture mariaDb)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task EveryPanelQueryReturnsGrafanasColumnsAndTheEventsCounts()
    {
        using var temp = new TempFolder();
        var store = StoreQueries.Empty(StoreProvider.MariaDb, temp, mariaDb, "grafana");
        using var kafka = TestKafka.Start();
        var start = new DateTimeOffset(DateTime.UtcNow.AddMinutes(-30).Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var scenario = PipelineScenario.Create(4000, seed: 17, start: start, step: TimeSpan.FromMilliseconds(60), poisonEvery: 1000);
        scenario.ProduceTo(kafka.BootstrapServers);
        var settings = ProcessorHost.Settings(kafka.BootstrapServers, store);
        settings["Processor:AllowedLateness"] = "00:00:00";
        settings["Processor:WindowCloseInterval"] = "00:00:00.200";
        var app = await ProcessorHost.StartAsync(settings);
        Assert.Equal(scenario.Valid.Count, await store.WaitForRawCountAsync(scenario.Valid.Count, TimeSpan.FromSeconds(120)));
        var lastMinute = PipelineScenario.Minute(scenario.Valid.Max(v => v.Expected.Timestamp));
        // Every minute before the newest is closed (no lateness allowed): wait for their percentiles.
        var closedMinutes = scenario.Valid.Where(v => v.Expected.Http is not null && PipelineScenario.Minute(v.Expected.Timestamp) < lastMinute)
            .Select(v => (PipelineScenario.Minute(v.Expected.Timestamp), v.Expected.Service)).Distinct().Count();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await store.ScalarAsync("SELECT COUNT(*) FROM latency_minute") < closedMinutes && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        await app.StopAsync();
        await app.DisposeAsync();

        // Anomalies for the annotation: one ended inside the range, one still open, one long before.
        await ExecuteAsync(store, $"INSERT INTO anomalies (service, kind, started_at_utc, ended_at_utc, observed, expected, updated_at_utc) VALUES " +
            $"('checkout', 'error-rate', '{Sql(start.AddMinutes(1))}', '{Sql(start.AddMinutes(3))}', 0.5, 0.05, UTC_TIMESTAMP()), " +
            $"('search', 'error-rate', '{Sql(start.AddMinutes(2))}', NULL, 0.4, 0.02, UTC_TIMESTAMP()), " +
            $"('auth', 'error-rate', '{Sql(start.AddDays(-3))}', '{Sql(start.AddDays(-3).AddMinutes(2))}', 0.3, 0.01, UTC_TIMESTAMP())");

        // From before the first event to after now: pipeline health is counted in processing time.
        var (from, to) = (start.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(2));
        var dashboard = GrafanaFiles.Dashboards().Single(d => (string)d.Dashboard["uid"]! == "logpipeline-overview").Dashboard;
        var results = new Dictionary<string, List<Dictionary<string, object?>>>();
        foreach (var (label, format, sql, _) in GrafanaFiles.Queries(dashboard))
        {
            var rows = await QueryAsync(store, GrafanaFiles.Expand(sql, from, to, Interval));
            Assert.True(rows.Count > 0, label + " returned nothing");
            if (format == "time_series")
            {
                // Grafana's time series format: a "time" column, an optional "metric" column, numbers.
                Assert.All(rows, r => Assert.True(r.ContainsKey("time") && r["time"] is long or int or decimal or ulong, label + ": no numeric time column"));
                Assert.All(rows, r => Assert.All(r.Where(c => c.Key is not "time" and not "metric"), c => Assert.True(c.Value is null or long or int or decimal or double or ulong, $"{label}: {c.Key} is not numeric")));
            }

            results[label] = rows;
        }

        var byTitle = results.ToDictionary(r => r.Key.Split('\'')[1], r => r.Value);

        // Events by level and by service: the produced events' counts.
        Assert.Equal(
            scenario.Valid.GroupBy(v => Level(v.Expected.Level)).ToDictionary(g => g.Key, g => (decimal)g.Count()),
            byTitle["Events by level"].GroupBy(r => (string)r["metric"]!).ToDictionary(g => g.Key, g => g.Sum(r => Convert.ToDecimal(r["events"], CultureInfo.InvariantCulture))));
        Assert.Equal(
            scenario.Valid.GroupBy(v => v.Expected.Service).ToDictionary(g => g.Key, g => (decimal)g.Count()),
            byTitle["Events by service"].GroupBy(r => (string)r["metric"]!).ToDictionary(g => g.Key, g => g.Sum(r => Convert.ToDecimal(r["events"], CultureInfo.InvariantCulture))));

        // Error rate per minute and service.
        var expectedRates = scenario.Valid.GroupBy(v => (Epoch(PipelineScenario.Minute(v.Expected.Timestamp)), v.Expected.Service))
            .ToDictionary(g => g.Key, g => (double)g.Count(v => v.Expected.Level >= LogLevel.Error) / g.Count());
        var rates = byTitle["Error rate by service"];
        Assert.Equal(expectedRates.Count, rates.Count);
        // MariaDB's division rounds half away from zero to div_precision_increment (4) digits, so 1/32 is 0.0313:
        // within half a unit of the fourth digit, with room for the double's own error.
        Assert.All(rates, r => Assert.Equal(expectedRates[(Convert.ToInt64(r["time"], CultureInfo.InvariantCulture), (string)r["metric"]!)], Convert.ToDouble(r["error_rate"], CultureInfo.InvariantCulture), 0.00005 + 1e-9));

        // Latency: every closed minute of every service, the histogram's p95 of the events' durations.
        var latency = byTitle["Latency p95 by service (worst minute in each interval)"];
        Assert.Equal(closedMinutes, latency.Count);
        foreach (var row in latency)
        {
            var minute = DateTimeOffset.FromUnixTimeSeconds(Convert.ToInt64(row["time"], CultureInfo.InvariantCulture));
            var durations = scenario.Valid.Where(v => v.Expected.Http is not null && v.Expected.Service == (string)row["metric"]! && PipelineScenario.Minute(v.Expected.Timestamp) == minute.UtcDateTime)
                .Select(v => v.Expected.Http!.DurationMs).Order().ToList();
            var exact = durations[(int)Math.Ceiling(0.95 * durations.Count) - 1];
            Assert.InRange(Convert.ToDouble(row["p95_ms"], CultureInfo.InvariantCulture), exact * 0.97, exact * 1.03);
        }

        Assert.NotEmpty(byTitle["Latency percentiles, all services (worst minute in each interval)"]);

        // Pipeline health: everything read, every poison record dead-lettered.
        var health = byTitle["Pipeline health: throughput, dead letters, late events"];
        Assert.Equal(scenario.Valid.Count + scenario.PoisonRecords.Count, health.Sum(r => Convert.ToDecimal(r["events_in"], CultureInfo.InvariantCulture)));
        Assert.Equal(scenario.Valid.Count, health.Sum(r => Convert.ToDecimal(r["events_stored"], CultureInfo.InvariantCulture)));
        Assert.Equal(scenario.PoisonRecords.Count, health.Sum(r => Convert.ToDecimal(r["dead_letters"], CultureInfo.InvariantCulture)));

        // Top errors: each row counts the warnings and errors of its service that its template matches.
        var top = byTitle["Top error fingerprints"];
        Assert.InRange(top.Count, 1, 20);
        Assert.Equal(top.Select(r => Convert.ToInt64(r["events"], CultureInfo.InvariantCulture)).OrderDescending(), top.Select(r => Convert.ToInt64(r["events"], CultureInfo.InvariantCulture)));
        foreach (var row in top)
        {
            var pattern = TemplatePattern((string)row["template"]!);
            var expected = scenario.Valid.Count(v => v.Expected.Service == (string)row["service"]! && v.Expected.Level >= LogLevel.Warn && pattern.IsMatch(v.Expected.Message));
            Assert.Equal(expected, Convert.ToInt64(row["events"], CultureInfo.InvariantCulture));
        }

        // Anomalies as annotations: exactly those overlapping the range (the processor may have found
        // the generator's incident too), with Grafana's annotation columns.
        var annotations = results.Single(r => r.Key.StartsWith("annotation", StringComparison.Ordinal)).Value;
        var overlapping = (await store.RowsAsync("SELECT service, started_at_utc, ended_at_utc FROM anomalies"))
            .Where(a => (DateTime)a["started_at_utc"] <= to.UtcDateTime && (a["ended_at_utc"] is DBNull || (DateTime)a["ended_at_utc"] >= from.UtcDateTime))
            .OrderBy(a => (DateTime)a["started_at_utc"]).Select(a => a.Text("service")).ToList();
        Assert.Equal(overlapping, annotations.Select(a => (string)a["tags"]!));
        Assert.Contains("checkout", overlapping);
        Assert.Contains("search", overlapping);
        Assert.DoesNotContain(annotations, a => (DateTime)a["time"]! == start.AddDays(-3).UtcDateTime);
        Assert.All(annotations, a => Assert.True(a.ContainsKey("time") && a.ContainsKey("timeEnd") && a.ContainsKey("text")));
        var checkout = annotations.Single(a => (string)a["tags"]! == "checkout" && (DateTime)a["time"]! == start.AddMinutes(1).UtcDateTime);
        Assert.Equal(start.AddMinutes(3).UtcDateTime, (DateTime)checkout["timeEnd"]!);
        Assert.Equal("checkout: error-rate 50.0% (baseline 5.0%)", checkout["text"]);
    }

    private static string Level(LogLevel level) => level.ToString().ToLowerInvariant();

    private static long Epoch(DateTime minute) => new DateTimeOffset(minute, TimeSpan.Zero).ToUnixTimeSeconds();

    private static string Sql(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    // A fingerprint template back into a pattern: its placeholders stand for any value.
    private static Regex TemplatePattern(string template) =>
        new("^" + Regex.Escape(template)
            .Replace("<num>", @"-?\d+(?:[.,:]\d+)*", StringComparison.Ordinal)
            .Replace("<hex>", "(?:0x)?[0-9a-fA-F]+", StringComparison.Ordinal)
            .Replace("<uuid>", "[0-9a-fA-F-]{36}", StringComparison.Ordinal)
            .Replace("<ip>", @"\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?", StringComparison.Ordinal) + "$");

    private static async Task ExecuteAsync(StoreQueries store, string sql)
    {
        await using var connection = await new StoreConnectionFactory(store.Provider, store.ConnectionString).OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    // As Grafana's MySQL data source does: a UTC session, rows as column-name maps.
    private static async Task<List<Dictionary<string, object?>>> QueryAsync(StoreQueries store, string sql)
    {
        await using var connection = await new StoreConnectionFactory(store.Provider, store.ConnectionString).OpenAsync();
        await using (var zone = connection.CreateCommand())
        {
            zone.CommandText = "SET time_zone = '+00:00'";
            await zone.ExecuteNonQueryAsync();
        }

        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using DbDataReader reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }
}
