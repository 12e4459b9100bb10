using System.Globalization;
using System.Text;
using Confluent.Kafka;
using LogPipeline.Data;
using LogPipeline.Kafka;
using LogPipeline.Formats;
using LogPipeline.Producer.Generation;

namespace LogPipeline.Testing;

/// <summary>
/// A mixed-format stream with poison records in it, and what the store must hold afterwards,
/// computed here from the generated events (not by the processor's code).
/// </summary>
public sealed class PipelineScenario
{
    private PipelineScenario(List<Sent> valid, List<Poison> poison)
    {
        Valid = valid;
        PoisonRecords = poison;
    }

    /// <summary>A valid record as sent, and the event a parser must make of it.</summary>
    public sealed record Sent(string Service, string Host, byte[] Value, LogEvent Expected, LogFormat Format);

    /// <summary>A record the processor must dead-letter, with the reason code it must give.</summary>
    public sealed record Poison(string? Key, byte[] Value, string Reason, int After);

    public IReadOnlyList<Sent> Valid { get; }

    public IReadOnlyList<Poison> PoisonRecords { get; }

    /// <summary>
    /// <paramref name="events"/> synthetic events, one every <paramref name="step"/> of event time from
    /// <paramref name="start"/>, in every format, with one of each kind of poison record every
    /// <paramref name="poisonEvery"/> events (0: none).
    /// </summary>
    public static PipelineScenario Create(int events, int seed, DateTimeOffset start, TimeSpan step, int poisonEvery = 500)
    {
        var generator = new SyntheticLogGenerator(new GeneratorOptions { Seed = seed });
        var valid = new List<Sent>(events);
        var poison = new List<Poison>();
        for (var i = 0; i < events; i++)
        {
            var log = generator.Next(start + (step * i));
            var e = log.Event;
            var context = new LogParseContext(e.Service, e.Host, start, e.Timestamp.Offset);
            valid.Add(new Sent(e.Service, e.Host, Encoding.UTF8.GetBytes(log.Line), WireExpectations.Expected(e, log.Format, context), log.Format));
            if (poisonEvery > 0 && i % poisonEvery == poisonEvery - 1)
            {
                poison.AddRange(PoisonSet(e.Service, e.Timestamp, i));
            }
        }

        return new PipelineScenario(valid, poison);
    }

    /// <summary>Produces the whole stream with the real client (valid and poison interleaved) and waits for delivery.</summary>
    public void ProduceTo(string bootstrapServers, string topic = "logs.raw") => ProduceTo(bootstrapServers, 0, Valid.Count, TimeSpan.FromSeconds(60), topic);

    /// <summary>
    /// Produces the valid records <paramref name="from"/> up to <paramref name="to"/> (exclusive) with the
    /// poison records among them, and waits up to <paramref name="flushTimeout"/> for Kafka to have them
    /// (longer than a broker outage the caller makes meanwhile). <paramref name="pace"/>, called with each
    /// valid record's index after it is sent, can slow the stream down, so it runs through an outage.
    /// </summary>
    public void ProduceTo(string bootstrapServers, int from, int to, TimeSpan flushTimeout, string topic = "logs.raw", Action<int>? pace = null)
    {
        KafkaNative.EnsureLoaded();
        using var producer = new ProducerBuilder<string?, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            LingerMs = 5,
            Acks = Acks.All,
            EnableIdempotence = true,
        }).Build();
        var poisonByIndex = PoisonRecords.ToLookup(p => p.After);
        for (var i = from; i < to; i++)
        {
            var sent = Valid[i];
            var headers = new Headers { { KafkaHeaderNames.Host, Encoding.UTF8.GetBytes(sent.Host) } };
            producer.ProduceWaiting(topic, new Message<string?, byte[]> { Key = sent.Service, Value = sent.Value, Headers = headers });
            foreach (var poison in poisonByIndex[i])
            {
                producer.ProduceWaiting(topic, new Message<string?, byte[]> { Key = poison.Key, Value = poison.Value });
            }

            pace?.Invoke(i);
        }

        if (producer.Flush(flushTimeout) != 0)
        {
            throw new TimeoutException("The scenario could not be delivered to Kafka.");
        }
    }

    public Dictionary<(DateTime Minute, string Service, LogLevel Level), (long Count, long Bytes)> ExpectedVolume() =>
        Valid.GroupBy(s => (Minute(s.Expected.Timestamp), s.Expected.Service, s.Expected.Level))
            .ToDictionary(g => g.Key, g => ((long)g.Count(), g.Sum(s => (long)s.Value.Length)));

    public Dictionary<(DateTime Minute, string Service, short StatusClass), long> ExpectedHttpStatus() =>
        Valid.Where(s => s.Expected.Http is not null)
            .GroupBy(s => (Minute(s.Expected.Timestamp), s.Expected.Service, (short)(s.Expected.Http!.Status / 100)))
            .ToDictionary(g => g.Key, g => (long)g.Count());

    public Dictionary<(DateTime Minute, string Service, short Bin), long> ExpectedLatencyHistogram() =>
        Valid.Where(s => s.Expected.Http is not null)
            .GroupBy(s => (Minute(s.Expected.Timestamp), s.Expected.Service, (short)LatencyHistogram.BinOf(s.Expected.Http!.DurationMs)))
            .ToDictionary(g => g.Key, g => (long)g.Count());

    /// <summary>Warnings and worse per service: what the fingerprint counts must add up to.</summary>
    public Dictionary<string, long> ExpectedFingerprintedByService() =>
        Valid.Where(s => s.Expected.Level >= LogLevel.Warn)
            .GroupBy(s => s.Expected.Service)
            .ToDictionary(g => g.Key, g => (long)g.Count());

    public static DateTime Minute(DateTimeOffset t)
    {
        var utc = t.UtcDateTime;
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
    }

    private static IEnumerable<Poison> PoisonSet(string service, DateTimeOffset at, int i)
    {
        var ts = at.ToString("O", CultureInfo.InvariantCulture);
        yield return new Poison(service, [0x7B, 0xC3, 0x28, 0x7D], "invalid-utf8", i);
        yield return new Poison(service, Encoding.UTF8.GetBytes("{\"v\":1,\"message\":\"" + new string('x', 70_000) + "\"}"), "too-long", i);
        yield return new Poison(service, Encoding.UTF8.GetBytes($"this is not a log line at all #{i}"), "unknown-format", i);
        yield return new Poison(service, Encoding.UTF8.GetBytes($"{{\"v\":2,\"timestamp\":\"{ts}\",\"service\":\"{service}\",\"host\":\"h\",\"level\":\"info\",\"message\":\"from the future schema {i}\"}}"), "unsupported-version", i);
        yield return new Poison(service, Encoding.UTF8.GetBytes($"{{\"v\":1,\"timestamp\":\"1971-01-01T00:00:00+00:00\",\"service\":\"{service}\",\"host\":\"h\",\"level\":\"info\",\"message\":\"clock reset {i}\"}}"), "absurd-timestamp", i);
        yield return new Poison(service, [], "empty", i);
        yield return new Poison(null, Encoding.UTF8.GetBytes($"{{\"v\":1,\"timestamp\":\"{ts}\",\"level\":\"info\",\"message\":\"who sent this {i}\"}}"), "missing-field", i);
    }
}
