using System.Security.Cryptography;
using System.Text;
using LogPipeline.Data;
using LogPipeline.Kafka.Embedded;
using LogPipeline.Kafka;
using LogPipeline.Tests.Infrastructure;

namespace LogPipeline.Tests.Processor;

/// <summary>The real processor host between the embedded Kafka cluster and a real store (SQLite file, MariaDB server).</summary>
[Collection("mariadb")]
public sealed class ProcessorTests(MariaDbFixture mariaDb)
{
    // Many partitions: the embedded cluster keeps at most 5 MiB per partition and drops older records.
    internal const int Partitions = 32;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task MixedStreamIsStoredExactlyAndEveryPoisonRecordIsDeadLettered(StoreProvider provider)
    {
        using var temp = new TempFolder();
        var store = Store(provider, temp, "mixed");
        using var kafka = StartKafka();
        var scenario = PipelineScenario.Create(6000, seed: 11, start: DateTimeOffset.UtcNow.AddMinutes(-10), step: TimeSpan.FromMilliseconds(50), poisonEvery: 1000);
        scenario.ProduceTo(kafka.BootstrapServers);

        var app = await ProcessorHost.StartAsync(ProcessorHost.Settings(kafka.BootstrapServers, store));
        var stored = await store.WaitForRawCountAsync(scenario.Valid.Count, Timeout);
        var deadLetters = KafkaTestClient.ReadAll(kafka.BootstrapServers, "logs.deadletter", 2, scenario.PoisonRecords.Count, Timeout);
        await app.StopAsync();
        await app.DisposeAsync();

        Assert.Equal(scenario.Valid.Count, stored);
        await AssertStoreMatchesAsync(store, scenario);

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

    /// <summary>Raw rows exact and unique; every aggregate equal to the scenario's own computation; each poison record dead-lettered once.</summary>
    internal static async Task AssertStoreMatchesAsync(StoreQueries store, PipelineScenario scenario)
    {
        Assert.Equal(scenario.Valid.Count, await store.RawCountAsync());
        Assert.Equal(scenario.Valid.Count, await store.ScalarAsync(
            "SELECT COUNT(*) FROM (SELECT DISTINCT source_topic, source_partition, source_offset FROM log_events) d"));
        Assert.Equal(0, await store.ScalarAsync("SELECT COUNT(*) FROM log_events WHERE is_late <> 0"));
        Assert.Equal(Sorted(scenario.ExpectedVolume()), Sorted(await store.VolumeAsync()));
        Assert.Equal(Sorted(scenario.ExpectedHttpStatus()), Sorted(await store.HttpStatusAsync()));
        Assert.Equal(Sorted(scenario.ExpectedLatencyHistogram()), Sorted(await store.LatencyHistogramAsync()));
        Assert.Equal(Sorted(scenario.ExpectedFingerprintedByService()), Sorted(await store.FingerprintCountsByServiceAsync()));
        Assert.Equal(scenario.Valid.Count + scenario.PoisonRecords.Count, await store.ScalarAsync("SELECT SUM(events_in) FROM pipeline_minute"));
        Assert.Equal(scenario.PoisonRecords.Count, await store.ScalarAsync("SELECT SUM(dead_letters) FROM pipeline_minute"));

        // Each poison record is one dead_letters row (stored in the batch that counted it above, so no
        // wait is needed), whatever crashed or was replayed: as many rows as distinct source positions,
        // each with its reason and the hash of its whole value.
        Assert.Equal(scenario.PoisonRecords.Count, await store.ScalarAsync("SELECT COUNT(*) FROM dead_letters"));
        Assert.Equal(scenario.PoisonRecords.Count, await store.ScalarAsync(
            "SELECT COUNT(*) FROM (SELECT DISTINCT source_topic, source_partition, source_offset FROM dead_letters) d"));
        Assert.Equal(
            scenario.PoisonRecords.Select(p => p.Reason + ":" + Convert.ToHexStringLower(SHA256.HashData(p.Value))).Order(StringComparer.Ordinal),
            (await store.RowsAsync("SELECT reason, value_sha256 FROM dead_letters")).Select(r => (string)r[0] + ":" + (string)r[1]).Order(StringComparer.Ordinal));
        var messages = (await store.RowsAsync("SELECT message FROM log_events")).Select(r => (string)r[0]).ToHashSet();
        Assert.All(scenario.Valid, s => Assert.Contains(s.Expected.Message.Length > StoreLimits.TextLength ? s.Expected.Message[..StoreLimits.TextLength] : s.Expected.Message, messages));
    }

    internal StoreQueries Store(StoreProvider provider, TempFolder temp, string name) => provider == StoreProvider.Sqlite
        ? new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(temp.Path, name + ".db")}")
        : new StoreQueries(StoreProvider.MariaDb, mariaDb.CreateDatabase(name));

    internal static EmbeddedKafka StartKafka()
    {
        var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("logs.raw", Partitions);
        kafka.CreateTopic("logs.deadletter", 2);
        return kafka;
    }

    private static List<string> Sorted<TKey, TValue>(Dictionary<TKey, TValue> map) where TKey : notnull =>
        map.Select(p => p.Key + "=" + p.Value).Order(StringComparer.Ordinal).ToList();

    private static string Text(byte[] b) => Encoding.UTF8.GetString(b);
}
