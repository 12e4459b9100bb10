using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using LogPipeline.Data;
using LogPipeline.Kafka;
using LogPipeline.Processor.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace LogPipeline.Tests.Observability;

/// <summary>Each pipeline metric moves as the events say it should.</summary>
public sealed class PipelineMetricsTests
{
    [Fact]
    public async Task PipelineMetricsCountWhatTheStreamContains()
    {
        using var temp = new TempFolder();
        using var kafka = TestKafka.Start();
        var store = new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(temp.Path, "metrics.db")}");
        var settings = ProcessorHost.Settings(kafka.BootstrapServers, store);
        settings["Kafka:StatisticsIntervalMs"] = "200";
        settings["Kafka:Consumer:auto.commit.interval.ms"] = "200";
        var app = await ProcessorHost.StartAsync(settings);

        // Listen to this host's meters only, from before the first record.
        var scope = app.Services.GetRequiredService<IMeterFactory>();
        var measurements = new ConcurrentQueue<(string Name, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, scope) && instrument.Meter.Name is ProcessorMetrics.MeterName or KafkaMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Tags(tags))));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Tags(tags))));
        listener.Start();

        var scenario = PipelineScenario.Create(3000, seed: 3, start: DateTimeOffset.UtcNow.AddMinutes(-5), step: TimeSpan.FromMilliseconds(40), poisonEvery: 1000);
        scenario.ProduceTo(kafka.BootstrapServers);
        Assert.Equal(scenario.Valid.Count, await store.WaitForRawCountAsync(scenario.Valid.Count, TimeSpan.FromSeconds(60)));

        var used = (await store.RowsAsync("SELECT DISTINCT source_partition FROM log_events")).Select(r => (int)r.Long("source_partition")).ToHashSet();

        // Consumer lag comes from librdkafka statistics: it reaches zero on every partition once all is committed.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<(string Name, double Value, Dictionary<string, object?> Tags)> lag;
        do
        {
            await Task.Delay(200);
            var before = measurements.Count;
            listener.RecordObservableInstruments();
            lag = measurements.Skip(before).Where(m => m.Name == "kafka.consumer.lag").ToList();
        }
        while ((lag.Count < used.Count || lag.Any(l => l.Value != 0)) && DateTime.UtcNow < deadline);
        await app.StopAsync();
        await app.DisposeAsync();

        // librdkafka reports lag (-1, not exported) only once a partition has a committed offset: the used ones.
        Assert.Superset(used, lag.Select(l => Convert.ToInt32(l.Tags["messaging.destination.partition.id"], null)).ToHashSet());
        Assert.All(lag, l => Assert.Equal(0, l.Value));

        var all = measurements.ToList();
        Assert.Equal(scenario.Valid.Count + scenario.PoisonRecords.Count, Sum(all, "logpipeline.records.consumed"));
        Assert.Equal(
            scenario.Valid.GroupBy(v => v.Format.ToString()).ToDictionary(g => g.Key, g => (double)g.Count()),
            all.Where(m => m.Name == "logpipeline.records.parsed").GroupBy(m => (string)m.Tags["logpipeline.format"]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value)));
        Assert.Equal(
            scenario.PoisonRecords.GroupBy(p => p.Reason).ToDictionary(g => g.Key, g => (double)g.Count()),
            all.Where(m => m.Name == "logpipeline.records.dead_lettered").GroupBy(m => (string)m.Tags["logpipeline.reason"]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value)));
        Assert.Equal(scenario.Valid.Count, Sum(all, "logpipeline.events.stored"));
        Assert.Equal(0, Sum(all, "logpipeline.events.late"));
        var batches = all.Where(m => m.Name == "logpipeline.batch.size").ToList();
        Assert.Equal(scenario.Valid.Count, batches.Sum(b => b.Value));
        Assert.Equal(batches.Count, all.Count(m => m.Name == "logpipeline.store.write.duration"));
        Assert.All(all.Where(m => m.Name == "logpipeline.store.write.duration"), m => Assert.True(m.Value > 0));
        var latencies = all.Where(m => m.Name == "logpipeline.event.stored.latency").ToList();
        Assert.Equal(scenario.Valid.Count, latencies.Count);
        Assert.All(latencies, m => Assert.True(m.Value >= 0));
    }

    private static double Sum(IEnumerable<(string Name, double Value, Dictionary<string, object?> Tags)> all, string name) =>
        all.Where(m => m.Name == name).Sum(m => m.Value);

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (var (key, value) in tags)
        {
            result[key] = value;
        }

        return result;
    }
}
