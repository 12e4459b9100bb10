using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using LogPipeline.Kafka;
using LogPipeline.Producer.Generation;
using LogPipeline.Testing;

namespace LogPipeline.Chaos;

/// <summary>
/// The load: the producer's synthetic fleet at a steady rate, with the poison corpus spread evenly
/// through it, every delivery written to the <see cref="ProducedLedger"/>.
/// </summary>
public static class LoadProducer
{
    /// <summary>Produces on a thread of its own (Produce blocks while the client's queue is full) until all is sent and delivered.</summary>
    public static Task RunAsync(string bootstrapServers, ChaosOptions options, ProducedLedger ledger, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Run(bootstrapServers, options, ledger, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static void Run(string bootstrapServers, ChaosOptions options, ProducedLedger ledger, CancellationToken cancellationToken)
    {
        KafkaNative.EnsureLoaded();
        using var producer = new ProducerBuilder<string?, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            LingerMs = 20,
            Acks = Acks.All,
            EnableIdempotence = true,
            // Compressed batches stretch the embedded cluster's 5 MiB per partition through a long store stop.
            CompressionType = CompressionType.Zstd,
            // The 2 MB poison records are above librdkafka's 1,000,000-byte default, as a real client may send.
            MessageMaxBytes = 8 * 1024 * 1024,
        }).Build();
        var generator = new SyntheticLogGenerator(new GeneratorOptions { Seed = options.Seed, Services = 64 });
        var valid = ledger.Recorder(null);
        var poison = PoisonCorpus.Kinds.ToDictionary(k => k, k => ledger.Recorder(k));
        var hosts = new Dictionary<string, Headers>(StringComparer.Ordinal);
        var started = Stopwatch.GetTimestamp();
        var poisonSent = 0;
        for (var i = 0; i < options.Events; i++)
        {
            var due = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * options.Rate);
            while (i >= due)
            {
                cancellationToken.ThrowIfCancellationRequested();
                producer.Poll(TimeSpan.FromMilliseconds(1));
                due = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * options.Rate);
            }

            var log = generator.Next(DateTimeOffset.UtcNow);
            if (!hosts.TryGetValue(log.Event.Host, out var headers))
            {
                headers = new Headers { { KafkaHeaderNames.Host, Encoding.UTF8.GetBytes(log.Event.Host) } };
                hosts.Add(log.Event.Host, headers);
            }

            // Spread over the partitions in turn, not by key: keyed, the busiest service's partition
            // overflows the embedded cluster's 5 MiB in a long store stop. The processor does not rely
            // on a service staying in one partition (its aggregates are sums).
            var message = new Message<string?, byte[]> { Key = log.Event.Service, Value = Encoding.UTF8.GetBytes(log.Line), Headers = headers };
            producer.ProduceWaiting(new TopicPartition(Topics.Raw, i % options.Partitions), message, valid);

            for (var poisonDue = (long)(i + 1) * options.Poison / options.Events; poisonSent < poisonDue; poisonSent++)
            {
                var (kind, value) = PoisonCorpus.Record(poisonSent, DateTimeOffset.UtcNow);
                producer.ProduceWaiting(new TopicPartition(Topics.Raw, (poisonSent * 7) % options.Partitions), new Message<string?, byte[]> { Key = null, Value = value }, poison[kind]);
            }
        }

        // Deliveries may wait out a long store stop: the broker is up, so this is quick.
        if (producer.Flush(TimeSpan.FromMinutes(2)) != 0)
        {
            throw new TimeoutException("Kafka did not take every record within 2 minutes of the last one.");
        }
    }
}
