using System.Security.Cryptography;
using System.Text;
using Confluent.Kafka;
using LogPipeline.Data;
using LogPipeline.Kafka;

namespace LogPipeline.Tests.Processor;

/// <summary>Records no one can store: whatever their size, they end in the dead letters and the partition moves on.</summary>
public sealed class ProcessorPoisonTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task ARecordTooLargeToRepublishIsDeadLetteredCutWithItsSizeAndHashAndThePartitionMovesOn()
    {
        using var temp = new TempFolder();
        var store = new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(temp.Path, "large.db")}");
        using var kafka = TestKafka.Start();
        var huge = new byte[2 * 1024 * 1024];
        new Random(5).NextBytes(huge);
        var before = Encoding.UTF8.GetBytes($"{{\"v\":1,\"timestamp\":\"{DateTimeOffset.UtcNow.AddSeconds(-2):O}\",\"service\":\"big\",\"host\":\"big-1\",\"level\":\"info\",\"message\":\"before\"}}");
        var after = Encoding.UTF8.GetBytes($"{{\"v\":1,\"timestamp\":\"{DateTimeOffset.UtcNow.AddSeconds(-1):O}\",\"service\":\"big\",\"host\":\"big-1\",\"level\":\"info\",\"message\":\"after\"}}");

        // Above librdkafka's default message.max.bytes (1,000,000), as a real client may send.
        using (var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers, MessageMaxBytes = 8 * 1024 * 1024 }).Build())
        {
            foreach (var value in new[] { before, huge, after })
            {
                await producer.ProduceAsync(new TopicPartition("logs.raw", 0), new Message<string, byte[]> { Key = "big", Value = value });
            }
        }

        var log = Path.Combine(temp.Path, "processor.log");
        using var processor = ProcessorProcess.Start(ProcessorHost.Settings(kafka.BootstrapServers, store), log);
        var stored = await store.WaitForRawCountAsync(2, Timeout);
        var dead = KafkaTestClient.ReadAll(kafka.BootstrapServers, "logs.deadletter", 2, 3, TimeSpan.FromSeconds(5));
        Assert.True(stored == 2, $"{stored} of 2 events stored; dead letters: {string.Join(", ", dead.Select(d => d.Header(KafkaHeaderNames.DeadLetterReason) + " " + d.Header(KafkaHeaderNames.DeadLetterDetail)))}; the processor said: {await File.ReadAllTextAsync(log)}");
        var deadLetter = Assert.Single(KafkaTestClient.ReadAll(kafka.BootstrapServers, "logs.deadletter", 2, 1, Timeout));

        Assert.Equal("too-long", deadLetter.Header(KafkaHeaderNames.DeadLetterReason));
        Assert.Equal("1", deadLetter.Header(KafkaHeaderNames.DeadLetterOffset));
        Assert.Equal(huge.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), deadLetter.Header(KafkaHeaderNames.DeadLetterOriginalSize));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(huge)), deadLetter.Header(KafkaHeaderNames.DeadLetterOriginalSha256));
        Assert.Equal(huge.AsSpan(0, deadLetter.Message.Value.Length).ToArray(), deadLetter.Message.Value);
        Assert.True(deadLetter.Message.Value.Length < 1_000_000, $"dead letter value is {deadLetter.Message.Value.Length} bytes");
        Assert.Equal(["after", "before"], (await store.RowsAsync("SELECT message FROM log_events")).Select(r => r.Text("message")).Order());
        Assert.False(processor.HasExited, "the processor stopped: " + await File.ReadAllTextAsync(log));
    }
}
