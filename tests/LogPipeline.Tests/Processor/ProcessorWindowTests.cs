using System.Text;
using Confluent.Kafka;
using LogPipeline.Data;
using LogPipeline.Kafka;
using LogPipeline.Kafka.Embedded;
using LogPipeline.Formats;
using Microsoft.Extensions.DependencyInjection;

namespace LogPipeline.Tests.Processor;

/// <summary>Event-time windows, lateness, latency percentiles, anomalies and retention, through the real processor on SQLite.</summary>
public sealed class ProcessorWindowTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset T0 = new DateTimeOffset(DateTime.UtcNow.AddHours(-2).Date.AddHours(DateTime.UtcNow.AddHours(-2).Hour), TimeSpan.Zero);

    [Fact]
    public async Task EventsLaterThanTheAllowedLatenessAreStoredRawAndCountedLateButNotAggregated()
    {
        using var temp = new TempFolder();
        using var kafka = TestKafka.Start();
        var store = new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(temp.Path, "late.db")}");
        // One partition, in this order: minutes 0..5, then one from minute 1 (its window closed at 1+1+2 <= 5),
        // then one from minute 4 (its window is still open: 4+1+2 > 5).
        var events = Enumerable.Range(0, 6).Select(m => Event("api", T0.AddMinutes(m), LogLevel.Info, "tick " + m)).ToList();
        events.Add(Event("api", T0.AddMinutes(1).AddSeconds(30), LogLevel.Error, "too late"));
        events.Add(Event("api", T0.AddMinutes(4).AddSeconds(30), LogLevel.Error, "late but in time"));
        Produce(kafka, events);

        await using (var app = await ProcessorHost.StartAsync(Settings(kafka, store, ("Processor:AllowedLateness", "00:02:00"))))
        {
            Assert.Equal(events.Count, await store.WaitForRawCountAsync(events.Count, Timeout));
            await app.StopAsync();
        }

        Assert.Equal(["too late"], (await store.RowsAsync("SELECT message FROM log_events WHERE is_late = 1")).Select(r => r.Text("message")));
        Assert.Equal(1, await store.ScalarAsync("SELECT SUM(late_events) FROM pipeline_minute"));
        Assert.Equal(events.Count - 1, await store.ScalarAsync("SELECT SUM(count) FROM volume_minute"));
        Assert.Equal(1, await store.ScalarAsync("SELECT SUM(count) FROM volume_minute WHERE level = 4")); // the one in time
    }

    [Fact]
    public async Task AnErrorSpikeOpensAnAnomalyWithAStartAndEndsItWhenTheRateIsBackAndPercentilesAreMaterialised()
    {
        using var temp = new TempFolder();
        using var kafka = TestKafka.Start();
        var store = new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(temp.Path, "anomaly.db")}");
        // "checkout": 40 events a minute; 1 in 20 errors, except minutes 15..17 where half are errors.
        // "search": the same, but its spike (minutes 22..24) is still going on when the stream ends.
        var events = new List<LogEvent>();
        for (var minute = 0; minute < 25; minute++)
        {
            for (var i = 0; i < 40; i++)
            {
                var incident = minute is >= 15 and <= 17;
                var error = incident ? i % 2 == 0 : i % 20 == 0;
                events.Add(Event("checkout", T0.AddMinutes(minute).AddSeconds(i), error ? LogLevel.Error : LogLevel.Info, "request " + i, durationMs: i + 1));
                var searchError = minute >= 22 ? i % 2 == 0 : i % 20 == 0;
                events.Add(Event("search", T0.AddMinutes(minute).AddSeconds(i), searchError ? LogLevel.Error : LogLevel.Info, "query " + i));
            }
        }

        Produce(kafka, events);
        await using var app = await ProcessorHost.StartAsync(Settings(kafka, store,
            ("Processor:AllowedLateness", "00:00:00"), ("Processor:WindowCloseInterval", "00:00:00.200"),
            ("Processor:Anomaly:BaselineMinutes", "10"), ("Processor:Anomaly:MinEvents", "20")));
        Assert.Equal(events.Count, await store.WaitForRawCountAsync(events.Count, Timeout));

        var deadline = DateTime.UtcNow + Timeout;
        List<StoreRow> anomalies;
        do
        {
            await Task.Delay(200);
            anomalies = await store.RowsAsync("SELECT service, kind, started_at_utc, ended_at_utc, observed, expected FROM anomalies");
        }
        while ((anomalies.Count < 2 || anomalies.Any(r => r.Text("service") == "checkout" && r["ended_at_utc"] is DBNull)) && DateTime.UtcNow < deadline);

        Assert.Equal(2, anomalies.Count);
        var open = Assert.Single(anomalies, r => r.Text("service") == "search");
        Assert.Equal(T0.AddMinutes(22).UtcDateTime, open.Time("started_at_utc"));
        Assert.IsType<DBNull>(open["ended_at_utc"]);
        Assert.Equal(1, OpenAnomaliesGauge(app));

        var a = Assert.Single(anomalies, r => r.Text("service") == "checkout");
        Assert.Equal("checkout", a["service"]);
        Assert.Equal("error-rate", a["kind"]);
        Assert.Equal(T0.AddMinutes(15).UtcDateTime, a.Time("started_at_utc"));
        Assert.Equal(T0.AddMinutes(18).UtcDateTime, a.Time("ended_at_utc"));
        Assert.Equal(0.5, a.Double("observed"), 3);
        Assert.Equal(0.05, a.Double("expected"), 3);

        // Durations 1..40 ms each minute: percentiles of closed minutes within the histogram's 2%.
        var latency = await store.RowsAsync("SELECT count, p50_ms, p95_ms, p99_ms FROM latency_minute WHERE service = 'checkout'");
        Assert.True(latency.Count >= 20, $"only {latency.Count} minutes materialised");
        Assert.All(latency, row =>
        {
            Assert.Equal(40L, row.Long("count"));
            Assert.InRange(row.Double("p50_ms"), 20 * 0.98, 20 * 1.02);
            Assert.InRange(row.Double("p95_ms"), 38 * 0.98, 38 * 1.02);
            Assert.InRange(row.Double("p99_ms"), 40 * 0.98, 40 * 1.02);
        });
        await app.StopAsync();
    }

    [Fact]
    public async Task RawEventsPastTheirRetentionArePurgedInTheBackgroundWhileAggregatesStay()
    {
        using var temp = new TempFolder();
        using var kafka = TestKafka.Start();
        var store = new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(temp.Path, "retention.db")}");
        var old = Enumerable.Range(0, 50).Select(i => Event("billing", DateTimeOffset.UtcNow.AddHours(-3).AddSeconds(i), LogLevel.Info, "old " + i)).ToList();
        var fresh = Enumerable.Range(0, 5).Select(i => Event("billing", DateTimeOffset.UtcNow.AddSeconds(-i), LogLevel.Info, "fresh " + i)).ToList();
        Produce(kafka, [.. old, .. fresh]);

        await using var app = await ProcessorHost.StartAsync(Settings(kafka, store,
            ("Processor:RawRetention", "01:00:00"), ("Processor:RetentionInterval", "00:00:00.200")));
        var deadline = DateTime.UtcNow + Timeout;
        while ((await store.ScalarAsync("SELECT COALESCE(SUM(events_stored), 0) FROM pipeline_minute") < 55 || await store.RawCountAsync() != 5) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.Equal(["fresh 0", "fresh 1", "fresh 2", "fresh 3", "fresh 4"], (await store.RowsAsync("SELECT message FROM log_events ORDER BY message")).Select(r => r.Text("message")));
        Assert.Equal(55, await store.ScalarAsync("SELECT SUM(count) FROM volume_minute"));
        await app.StopAsync();
    }

    private static long OpenAnomaliesGauge(Microsoft.AspNetCore.Builder.WebApplication app)
    {
        var scope = app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        long value = -1;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (ReferenceEquals(i.Meter.Scope, scope) && i.Name == "logpipeline.anomalies.open")
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, v, _, _) => value = v);
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }

    private static Dictionary<string, string?> Settings(EmbeddedKafka kafka, StoreQueries store, params (string Key, string Value)[] extra)
    {
        var settings = ProcessorHost.Settings(kafka.BootstrapServers, store);
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static LogEvent Event(string service, DateTimeOffset at, LogLevel level, string message, double? durationMs = null) => new()
    {
        Timestamp = at,
        Service = service,
        Host = service + "-1",
        Level = level,
        Message = message,
        Http = durationMs is { } d ? new HttpInfo { Method = "GET", Path = "/x", Status = level >= LogLevel.Error ? 500 : 200, DurationMs = d, Bytes = 10 } : null,
    };

    // Everything to partition 0, in order: the test controls the partition's event-time order exactly.
    private static void Produce(EmbeddedKafka kafka, IEnumerable<LogEvent> events)
    {
        KafkaNative.EnsureLoaded();
        using var producer = new ProducerBuilder<string?, byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers, EnableIdempotence = true }).Build();
        foreach (var e in events)
        {
            producer.Produce(new TopicPartition("logs.raw", 0), new Message<string?, byte[]> { Key = e.Service, Value = Encoding.UTF8.GetBytes(LogFormatter.Format(e, LogFormat.Json)) });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
    }
}
