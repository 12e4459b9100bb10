using Confluent.Kafka;
using LogPipeline.Kafka;

namespace LogPipeline.Testing;

/// <summary>Reads topics of a test cluster with the real client, by explicit assignment (no group join needed).</summary>
public static class KafkaTestClient
{
    public static List<ConsumeResult<string?, byte[]>> ReadAll(string bootstrapServers, string topic, int partitions, int expected, TimeSpan timeout)
    {
        KafkaNative.EnsureLoaded();
        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "test-reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var results = new List<ConsumeResult<string?, byte[]>>();
        var deadline = DateTime.UtcNow + timeout;
        while (results.Count < expected && DateTime.UtcNow < deadline)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (r is { IsPartitionEOF: false })
            {
                results.Add(r);
            }
        }

        // Anything beyond the expected count is a defect too: give it a moment to show up.
        var extra = consumer.Consume(TimeSpan.FromMilliseconds(300));
        if (extra is not null)
        {
            results.Add(extra);
        }

        return results;
    }

    public static string? Header(this ConsumeResult<string?, byte[]> result, string name) =>
        result.Message.Headers is { } h && h.TryGetLastBytes(name, out var v) ? System.Text.Encoding.UTF8.GetString(v) : null;
}
