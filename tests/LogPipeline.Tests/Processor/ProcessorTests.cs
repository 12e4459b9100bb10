using LogPipeline.Data;
using LogPipeline.Kafka;
using LogPipeline.Tests.Infrastructure;

namespace LogPipeline.Tests.Processor;

/// <summary>The real processor host between the embedded Kafka cluster and a real store (SQLite file, MariaDB server).</summary>
[Collection("mariadb")]
public sealed class ProcessorTests(MariaDbFixture mariaDb)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task MixedStreamIsStoredExactlyAndEveryPoisonRecordIsDeadLettered(StoreProvider provider)
    {
        using var temp = new TempFolder();
        var store = StoreQueries.Empty(provider, temp, mariaDb, "mixed");
        using var kafka = TestKafka.Start();
        var scenario = PipelineScenario.Create(6000, seed: 11, start: DateTimeOffset.UtcNow.AddMinutes(-10), step: TimeSpan.FromMilliseconds(50), poisonEvery: 1000);
        scenario.ProduceTo(kafka.BootstrapServers);

        var app = await ProcessorHost.StartAsync(ProcessorHost.Settings(kafka.BootstrapServers, store));
        var stored = await store.WaitForRawCountAsync(scenario.Valid.Count, Timeout);
        var deadLetters = KafkaTestClient.ReadAll(kafka.BootstrapServers, "logs.deadletter", 2, scenario.PoisonRecords.Count, Timeout);
        await app.StopAsync();
        await app.DisposeAsync();

        Assert.Equal(scenario.Valid.Count, stored);
        await StoreAssert.MatchesAsync(store, scenario);

        // The dead-letter topic holds exactly the poison records, unchanged, each with its reason and origin.
        Assert.Equal(scenario.PoisonRecords.Count, deadLetters.Count);
        Assert.Equal(
            scenario.PoisonRecords.Select(p => p.Reason + ":" + Convert.ToHexString(p.Value)).Order(),
            deadLetters.Select(d => d.Header(KafkaHeaderNames.DeadLetterReason) + ":" + Convert.ToHexString(d.Message.Value)).Order());
        Assert.All(deadLetters, d =>
        {
            Assert.Equal("logs.raw", d.Header(KafkaHeaderNames.DeadLetterTopic));
            Assert.NotNull(d.Header(KafkaHeaderNames.DeadLetterOffset));
            Assert.NotNull(d.Header(KafkaHeaderNames.DeadLetterDetail));
        });
    }
}
