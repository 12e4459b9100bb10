using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using LogPipeline.Kafka;
using LogPipeline.Producer.Generation;
using LogPipeline.Testing;

namespace LogPipeline.Benchmarks;

/// <summary>
/// Mixed-format lines made before any timing starts (the generator makes about 50k a second, slower
/// than the pipeline), as ready Kafka messages: keyed by service, with the <c>host</c> header.
/// </summary>
internal sealed class LogStream
{
    // Records are keyed by service: with the generator's default 8 services a 500k backlog lands on 8
    // partitions and overflows the embedded cluster's 5 MiB per partition. Many services spread it.
    private const int Services = 256;

    private readonly Message<string?, byte[]>[] _messages;

    private LogStream(Message<string?, byte[]>[] messages) => _messages = messages;

    public int Count => _messages.Length;

    public long Bytes => _messages.Sum(m => (long)m.Value.Length);

    /// <summary>Records generated and produced at a time by <see cref="BrokerProcess"/>, so that a large backlog is never all in memory.</summary>
    public const int SliceSize = 50_000;

    /// <summary>The synthetic fleet the benchmark's streams come from: deterministic for a seed.</summary>
    public static SyntheticLogGenerator Generator(int seed) => new(new GeneratorOptions { Seed = seed, Services = Services });

    /// <summary>The next <paramref name="count"/> events of <paramref name="generator"/>, with event times from <paramref name="from"/>, <paramref name="step"/> apart.</summary>
    public static LogStream Generate(SyntheticLogGenerator generator, int count, DateTimeOffset from, TimeSpan step)
    {
        var hostHeaders = new Dictionary<string, Headers>(StringComparer.Ordinal);
        var messages = new Message<string?, byte[]>[count];
        for (var i = 0; i < count; i++)
        {
            var e = generator.Next(from + (step * i));
            if (!hostHeaders.TryGetValue(e.Event.Host, out var headers))
            {
                headers = new Headers { { KafkaHeaderNames.Host, Encoding.UTF8.GetBytes(e.Event.Host) } };
                hostHeaders.Add(e.Event.Host, headers);
            }

            messages[i] = new Message<string?, byte[]> { Key = e.Event.Service, Value = Encoding.UTF8.GetBytes(e.Line), Headers = headers };
        }

        return new LogStream(messages);
    }

    /// <summary>
    /// A producer as the pipeline's own; <paramref name="lingerMs"/> 5 for live traffic, more for a
    /// backlog: fuller batches compress better, and the embedded cluster's 5 MiB per partition then holds
    /// a million-event backlog of the fleet's busiest services.
    /// </summary>
    public static IProducer<string?, byte[]> CreateProducer(string bootstrapServers, int lingerMs = 5)
    {
        KafkaNative.EnsureLoaded();
        return new ProducerBuilder<string?, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            LingerMs = lingerMs,
            BatchSize = 1_000_000,
            Acks = Acks.All,
            EnableIdempotence = true,
            // Compressed batches: the embedded cluster's 5 MiB per partition then holds several times more.
            CompressionType = CompressionType.Zstd,
            QueueBufferingMaxMessages = 500_000,
        }).Build();
    }

    /// <summary>
    /// Hands everything to the producer as fast as it takes it (<see cref="Flush"/> waits for delivery),
    /// spread over the <paramref name="partitions"/> in turn from <paramref name="first"/>; returns the time taken.
    /// </summary>
    /// <remarks>
    /// Not by key as the pipeline's producer does: the fleet's busiest service has about 7 % of the
    /// events, which for a million-event backlog is more than the embedded cluster keeps in one
    /// partition. The processor does not depend on a service staying in one partition (its aggregates
    /// are sums), so the backlog is spread evenly; live traffic goes by key.
    /// </remarks>
    public TimeSpan ProduceAll(IProducer<string?, byte[]> producer, string topic, int partitions, int first)
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < _messages.Length; i++)
        {
            producer.ProduceWaiting(new TopicPartition(topic, (first + i) % partitions), _messages[i]);
        }

        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>
    /// Produces at <paramref name="perSecond"/> (in small bursts, each catching up with the schedule)
    /// until all is sent, then waits for delivery; returns the time the sending took.
    /// </summary>
    public TimeSpan ProducePaced(IProducer<string?, byte[]> producer, string topic, int perSecond)
    {
        var started = Stopwatch.GetTimestamp();
        var sent = 0;
        while (sent < _messages.Length)
        {
            var due = Math.Min(_messages.Length, (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * perSecond) + 1);
            if (sent >= due)
            {
                Thread.Sleep(1);
                continue;
            }

            while (sent < due)
            {
                producer.ProduceWaiting(topic, _messages[sent++]);
            }

            producer.Poll(TimeSpan.Zero);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        Flush(producer);
        return elapsed;
    }

    /// <summary>Records the topic holds, checked against the earliest offsets: the embedded cluster drops silently when a partition is full.</summary>
    public static long CountRetained(string bootstrapServers, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "benchmark-watermarks",
            EnableAutoCommit = false,
        }).Build();
        long total = 0;
        for (var p = 0; p < partitions; p++)
        {
            var w = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10));
            if (w.Low.Value > 0)
            {
                throw new InvalidOperationException(
                    $"Partition {p} of {topic} dropped its first {w.Low.Value} records (the embedded cluster keeps 5 MiB per partition): use fewer events.");
            }

            total += w.High.Value - w.Low.Value;
        }

        return total;
    }

    public static void Flush(IProducer<string?, byte[]> producer)
    {
        if (producer.Flush(TimeSpan.FromMinutes(2)) != 0)
        {
            throw new TimeoutException("Kafka did not take every record within 2 minutes.");
        }
    }
}
