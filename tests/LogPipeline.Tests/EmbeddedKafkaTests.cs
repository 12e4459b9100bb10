using System.Text;
using Confluent.Kafka;
using LogPipeline.Kafka;
using LogPipeline.Kafka.Embedded;

namespace LogPipeline.Tests;

public sealed class EmbeddedKafkaTests
{
    [Fact]
    public void RoundTripsMessagesThroughTheRealClient()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("t", 4);
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers }).Build())
        {
            for (var i = 0; i < 100; i++)
            {
                producer.Produce("t", new Message<string, string> { Key = "k" + (i % 7), Value = "v" + i });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(10)));
        }

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = kafka.BootstrapServers, GroupId = "g" }).Build();
        consumer.Assign(Enumerable.Range(0, 4).Select(p => new TopicPartitionOffset("t", p, Offset.Beginning)));
        var seen = new HashSet<string>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (seen.Count < 100 && DateTime.UtcNow < deadline)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (r is not null)
            {
                seen.Add(r.Message.Value);
            }
        }

        Assert.Equal(Enumerable.Range(0, 100).Select(i => "v" + i).ToHashSet(), seen);
        _ = Encoding.UTF8;
        Assert.NotNull(KafkaNative.LoadedFrom);
    }
}
