using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;

namespace LogPipeline.Kafka;

/// <summary>
/// Turns librdkafka's periodic statistics (JSON, every <see cref="KafkaOptions.StatisticsIntervalMs"/>)
/// into .NET metrics on the meter <see cref="MeterName"/>: what Aspire.Confluent.Kafka would give.
/// </summary>
public sealed class KafkaMetrics
{
    public const string MeterName = "LogPipeline.Kafka";

    private readonly ConcurrentDictionary<string, ClientSnapshot> _clients = new(StringComparer.Ordinal);

    public KafkaMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("kafka.client.queue.messages", () => Each(static s => s.QueuedMessages),
            "{message}", "Messages waiting in the client's queues (librdkafka msg_cnt).");
        meter.CreateObservableCounter("kafka.client.sent.messages", () => Each(static s => s.SentMessages),
            "{message}", "Messages sent to brokers (librdkafka txmsgs).");
        meter.CreateObservableCounter("kafka.client.sent.bytes", () => Each(static s => s.SentBytes),
            "By", "Message bytes sent to brokers (librdkafka txmsg_bytes).");
        meter.CreateObservableCounter("kafka.client.received.messages", () => Each(static s => s.ReceivedMessages),
            "{message}", "Messages received from brokers (librdkafka rxmsgs).");
        meter.CreateObservableCounter("kafka.client.received.bytes", () => Each(static s => s.ReceivedBytes),
            "By", "Message bytes received from brokers (librdkafka rxmsg_bytes).");
        meter.CreateObservableGauge("kafka.consumer.lag", ObserveLag,
            "{message}", "Messages between the consumer's position and the partition end (librdkafka consumer_lag).");
    }

    /// <summary>Reads one statistics document; bad documents are ignored (the next one replaces it).</summary>
    public void Update(string statisticsJson)
    {
        using var doc = JsonDocument.Parse(statisticsJson);
        var root = doc.RootElement;
        var name = root.GetProperty("name").GetString() ?? "unknown";
        var lag = new List<(string Topic, int Partition, long Lag)>();
        if (root.TryGetProperty("topics", out var topics))
        {
            foreach (var topic in topics.EnumerateObject())
            {
                if (!topic.Value.TryGetProperty("partitions", out var partitions))
                {
                    continue;
                }

                foreach (var partition in partitions.EnumerateObject())
                {
                    // -1 is librdkafka's internal unassigned partition; lag -1 means unknown.
                    if (int.TryParse(partition.Name, out var id) && id >= 0
                        && partition.Value.TryGetProperty("consumer_lag", out var l) && l.GetInt64() >= 0
                        && partition.Value.TryGetProperty("fetch_state", out var state) && state.GetString() != "none")
                    {
                        lag.Add((topic.Name, id, l.GetInt64()));
                    }
                }
            }
        }

        _clients[name] = new ClientSnapshot(
            name,
            root.TryGetProperty("type", out var type) ? type.GetString() ?? "" : "",
            Long(root, "msg_cnt"), Long(root, "txmsgs"), Long(root, "txmsg_bytes"),
            Long(root, "rxmsgs"), Long(root, "rxmsg_bytes"), lag);
    }

    /// <summary>Forgets a client that was disposed, so its last numbers are not reported forever.</summary>
    public void Remove(string clientName) => _clients.TryRemove(clientName, out _);

    private static long Long(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;

    private IEnumerable<Measurement<long>> Each(Func<ClientSnapshot, long> value)
    {
        foreach (var s in _clients.Values)
        {
            yield return new Measurement<long>(value(s),
                new KeyValuePair<string, object?>("kafka.client", s.Name),
                new KeyValuePair<string, object?>("kafka.client.type", s.Type));
        }
    }

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (var s in _clients.Values)
        {
            foreach (var (topic, partition, lag) in s.Lag)
            {
                yield return new Measurement<long>(lag,
                    new KeyValuePair<string, object?>("kafka.client", s.Name),
                    new KeyValuePair<string, object?>("messaging.destination.name", topic),
                    new KeyValuePair<string, object?>("messaging.destination.partition.id", partition));
            }
        }
    }

    private sealed record ClientSnapshot(
        string Name, string Type, long QueuedMessages, long SentMessages, long SentBytes,
        long ReceivedMessages, long ReceivedBytes, IReadOnlyList<(string Topic, int Partition, long Lag)> Lag);
}
