using System.Net;
using System.Text;
using Confluent.Kafka;
using LogPipeline.Data;
using LogPipeline.Kafka;
using LogPipeline.Kafka.Embedded;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using LogPipeline.Tests.Infrastructure;

namespace LogPipeline.Tests.Kafka;

/// <summary>
/// Kafka outages are waited out, never fatal: the processor (its own OS process, on SQLite) stays up
/// while the embedded broker is down, at start or under load, says why on /health, and afterwards has
/// stored every event exactly once.
/// </summary>
public sealed class KafkaOutageTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task StartedWhileKafkaIsDownWaitsReportsUnhealthyThenStoresEverythingOnce()
    {
        using var temp = new TempFolder();
        var store = new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(temp.Path, "kafkadown.db")}");
        using var kafka = TestKafka.Start();
        var scenario = PipelineScenario.Create(5_000, seed: 73, start: DateTimeOffset.UtcNow.AddMinutes(-20), step: TimeSpan.FromMilliseconds(20), poisonEvery: 1000);
        scenario.ProduceTo(kafka.BootstrapServers);
        var log = Path.Combine(temp.Path, "processor.log");
        var port = LoopbackPort.Free();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        kafka.SetBrokerDown();
        try
        {
            using var processor = ProcessorProcess.Start(ProcessorHost.Settings(kafka.BootstrapServers, store), log, port);

            // It comes up and says why it is not healthy, instead of exiting.
            await AssertUnhealthyBecauseKafkaIsDownAsync(http, processor, kafka, log);

            await Task.Delay(TimeSpan.FromSeconds(20)); // many reconnects and consume errors
            Assert.False(processor.HasExited, $"the processor exited (code {processor.ExitCode}) while Kafka was down:\n{await File.ReadAllTextAsync(log)}");

            kafka.SetBrokerUp();
            Assert.Equal(scenario.Valid.Count, await store.WaitForRawCountAsync(scenario.Valid.Count, Timeout));
            var (status, _) = await processor.WaitForHealthAsync(http, s => s == HttpStatusCode.OK, _ => true, Timeout);
            Assert.Equal(HttpStatusCode.OK, status);
            await Task.Delay(TimeSpan.FromSeconds(1)); // anything extra would show up now
            Assert.False(processor.HasExited);
            AssertOutageLoggedSparingly(await File.ReadAllTextAsync(log));
        }
        finally
        {
            kafka.SetBrokerUp();
        }

        await StoreAssert.MatchesAsync(store, scenario);
    }

    [Fact]
    public async Task KafkaDownForAMinuteUnderLoadLosesAndDoublesNothing()
    {
        using var temp = new TempFolder();
        var store = new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(temp.Path, "kafkaoutage.db")}");
        using var kafka = TestKafka.Start();
        var scenario = PipelineScenario.Create(20_000, seed: 79, start: DateTimeOffset.UtcNow.AddMinutes(-20), step: TimeSpan.FromMilliseconds(20), poisonEvery: 2000);
        var settings = ProcessorHost.Settings(kafka.BootstrapServers, store);
        settings["Processor:BatchSize"] = "1000";
        settings["Processor:BufferCapacity"] = "4000";
        // librdkafka gives a dead letter up after 5 s instead of 5 min, so the outage outlasts its own
        // retries many times over and the processor's retries (kafka-produce) must wait it out.
        settings["Kafka:Producer:message.timeout.ms"] = "5000";
        var log = Path.Combine(temp.Path, "processor.log");
        var port = LoopbackPort.Free();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var processor = ProcessorProcess.Start(settings, log, port);
        try
        {
            // 500 records every 1.5 s: the stream runs on through the outage (queued in the sender meanwhile).
            var producing = Task.Run(() => scenario.ProduceTo(kafka.BootstrapServers, 0, scenario.Valid.Count, Timeout, pace: i =>
            {
                if (i % 500 == 499)
                {
                    Thread.Sleep(1500);
                }
            }));
            Assert.True(await store.WaitForRawCountAsync(3_000, Timeout) >= 3_000, await File.ReadAllTextAsync(log));
            kafka.SetBrokerDown();
            try
            {
                await AssertUnhealthyBecauseKafkaIsDownAsync(http, processor, kafka, log);
                await Task.Delay(TimeSpan.FromSeconds(60));
                Assert.False(processor.HasExited, $"the processor exited (code {processor.ExitCode}) while Kafka was down:\n{await File.ReadAllTextAsync(log)}");
            }
            finally
            {
                kafka.SetBrokerUp();
            }

            await producing;
            Assert.Equal(scenario.Valid.Count, await store.WaitForRawCountAsync(scenario.Valid.Count, Timeout));
            await Task.Delay(TimeSpan.FromSeconds(1)); // anything extra would show up now
            Assert.False(processor.HasExited, $"the processor exited (code {processor.ExitCode}):\n{await File.ReadAllTextAsync(log)}");
            AssertOutageLoggedSparingly(await File.ReadAllTextAsync(log));
        }
        finally
        {
            kafka.SetBrokerUp();
        }

        // Count, distinct (topic, partition, offset) and every aggregate equal what was produced.
        await StoreAssert.MatchesAsync(store, scenario);
    }

    [Fact]
    public async Task AProduceThroughKafkaProduceWaitsOutABrokerOutageLongerThanLibrdkafkasOwnRetries()
    {
        using var kafka = TestKafka.Start();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:kafka"] = kafka.BootstrapServers,
            ["Kafka:StatisticsIntervalMs"] = "0",
            // librdkafka gives up after 2 s; the outage lasts 40 s, past the old 5 retries (about 28 s).
            ["Kafka:Producer:message.timeout.ms"] = "2000",
        });
        builder.AddKafkaProducer(); // the processor's dead-letter producer: acks=all, idempotence
        using var host = builder.Build();
        var producer = host.Services.GetRequiredService<IProducer<string?, byte[]>>();
        await producer.ProduceAsync("logs.deadletter", new Message<string?, byte[]> { Key = "warm-up", Value = [1] });
        var pipeline = KafkaResilience.BuildProduce(new KafkaProduceResilienceOptions(), NullLogger.Instance, kafka.BootstrapServers);

        kafka.SetBrokerDown();
        var produce = pipeline.ExecuteAsync(async ct => await producer.ProduceAsync("logs.deadletter", new Message<string?, byte[]> { Key = "k", Value = Encoding.UTF8.GetBytes("during the outage") }, ct)).AsTask();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(40));
            Assert.False(produce.IsCompleted, $"the produce ended during the outage: {produce.Exception?.GetBaseException().Message}");
        }
        finally
        {
            kafka.SetBrokerUp();
        }

        var delivered = await produce.WaitAsync(Timeout);
        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
        var records = KafkaTestClient.ReadAll(kafka.BootstrapServers, "logs.deadletter", 2, 2, TimeSpan.FromSeconds(30));
        Assert.Single(records, r => r.Message.Key == "k");
    }

    private static async Task AssertUnhealthyBecauseKafkaIsDownAsync(HttpClient http, ProcessorProcess processor, EmbeddedKafka kafka, string log)
    {
        var reason = $"kafka: Unhealthy: Kafka is not reachable at {kafka.BootstrapServers}";
        var (status, body) = await processor.WaitForHealthAsync(http, s => s == HttpStatusCode.ServiceUnavailable, b => b.Contains(reason, StringComparison.Ordinal), Timeout);
        Assert.True(status == HttpStatusCode.ServiceUnavailable && body.Contains(reason, StringComparison.Ordinal), $"/health: {(int)status} {body}\n{await File.ReadAllTextAsync(log)}");
    }

    /// <summary>An outage under a minute or two: a few lines per client, not one per reconnect.</summary>
    private static void AssertOutageLoggedSparingly(string log)
    {
        var lines = log.Split('\n');
        var kafkaWarnings = lines.Count(l => l.Contains("librdkafka", StringComparison.Ordinal) || l.Contains("Kafka client", StringComparison.Ordinal) || l.Contains("Consume error", StringComparison.Ordinal));
        Assert.True(kafkaWarnings <= 30, $"{kafkaWarnings} Kafka error lines:\n{string.Join('\n', lines.Where(l => l.Contains("Kafka", StringComparison.OrdinalIgnoreCase)).Take(100))}");
    }
}
