using System.Collections.Concurrent;
using System.Diagnostics;
using LogPipeline.Data;

namespace LogPipeline.Tests.Observability;

/// <summary>One trace per event across Kafka: publish span -> traceparent -> process span -> linked from the store-write span.</summary>
public sealed class TracingTests
{
    [Fact]
    public async Task OneTraceIdFlowsFromAProducedEventToTheProcessorsStoreWriteSpan()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name.StartsWith("LogPipeline.", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);

        using var temp = new TempFolder();
        using var kafka = TestKafka.Start();
        var store = new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(temp.Path, "traces.db")}");
        var producer = await ProducerHost.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:kafka"] = kafka.BootstrapServers,
            ["Producer:EventsPerSecond"] = "0",
            ["Producer:MaxEvents"] = "300",
            ["Producer:Generator:Seed"] = "5",
        });
        await producer.RunToCompletionAsync(TimeSpan.FromSeconds(60));
        var processor = await ProcessorHost.StartAsync(ProcessorHost.Settings(kafka.BootstrapServers, store));
        Assert.Equal(300, await store.WaitForRawCountAsync(300, TimeSpan.FromSeconds(60)));
        await processor.StopAsync();
        await processor.DisposeAsync();

        var traceIds = (await store.RowsAsync("SELECT trace_id FROM log_events WHERE trace_id IS NOT NULL")).Select(r => r.Text("trace_id")).ToHashSet();
        Assert.True(traceIds.Count > 100, "the synthetic stream carries trace ids on most events");
        var all = spans.ToList();
        var publishes = all.Where(a => a.OperationName == "logs.raw publish" && traceIds.Contains(a.TraceId.ToHexString())).ToDictionary(a => a.SpanId);
        var processes = all.Where(a => a.OperationName == "logs.raw process" && traceIds.Contains(a.TraceId.ToHexString())).ToList();
        // The listener hears every test in the process: this test's writes are those linking its records.
        var ours = processes.Select(p => p.Context).ToHashSet();
        var writes = all.Where(a => a.OperationName == "store write" && a.Links.Any(l => ours.Contains(l.Context))).ToList();
        var writeLinks = writes.SelectMany(a => a.Links).Select(l => l.Context).ToHashSet();

        foreach (var traceId in traceIds)
        {
            // The event's own trace id is the trace of its publish span, its process span, and the write's link.
            var process = Assert.Single(processes, p => p.TraceId.ToHexString() == traceId);
            Assert.True(publishes.TryGetValue(process.ParentSpanId, out var publish), "the process span's parent is the publish span");
            Assert.Equal(traceId, publish.TraceId.ToHexString());
            Assert.Equal("kafka", process.GetTagItem("messaging.system"));
            Assert.Equal(ActivityKind.Consumer, process.Kind);
            Assert.Contains(process.Context, writeLinks);
        }

        Assert.NotEmpty(writes);
        Assert.All(writes, w => Assert.Equal("sqlite", w.GetTagItem("db.system.name")));
    }
}
