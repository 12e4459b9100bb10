using System.Diagnostics.Metrics;
using Confluent.Kafka;
using LogPipeline.Kafka;
using LogPipeline.Kafka.Embedded;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace LogPipeline.Tests.Kafka;

/// <summary>The Kafka registration extensions: configuration, metrics from librdkafka statistics, health check.</summary>
public sealed class KafkaClientTests
{
    [Fact]
    public async Task StatisticsBecomeSentMessageAndConsumerLagMetrics()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("logs.raw", 2);
        using var host = Build(kafka.BootstrapServers, b => b.AddKafkaProducer().AddKafkaConsumer("metrics-test"));

        var producer = host.Services.GetRequiredService<IProducer<string?, byte[]>>();
        for (var i = 0; i < 40; i++)
        {
            producer.Produce(new TopicPartition("logs.raw", i % 2), new Message<string?, byte[]> { Key = "k", Value = [1, 2, 3] });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(10)));

        // Consume 10 from each partition and commit: 20 of 40 remain, the lag.
        using var consumer = host.Services.GetRequiredService<KafkaConsumerFactory>().CreateBuilder().Build();
        consumer.Assign([new TopicPartitionOffset("logs.raw", 0, Offset.Beginning), new TopicPartitionOffset("logs.raw", 1, Offset.Beginning)]);
        var taken = new Dictionary<int, ConsumeResult<string?, byte[]>>();
        var perPartition = new Dictionary<int, int> { [0] = 0, [1] = 0 };
        while (perPartition.Values.Sum() < 20)
        {
            var r = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException("nothing to consume");
            if (perPartition[r.Partition.Value] < 10)
            {
                perPartition[r.Partition.Value]++;
                taken[r.Partition.Value] = r;
            }
            else
            {
                consumer.Pause([r.TopicPartition]);
            }
        }

        consumer.Commit(taken.Values.Select(r => new TopicPartitionOffset(r.TopicPartition, r.Offset + 1)));

        long sent = 0, lag = -1;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((sent != 40 || lag != 20) && DateTime.UtcNow < deadline)
        {
            consumer.Consume(TimeSpan.FromMilliseconds(100)); // statistics callbacks run inside Consume
            (sent, lag) = (Observe(host, "kafka.client.sent.messages"), Observe(host, "kafka.consumer.lag"));
        }

        Assert.Equal(40, sent);
        Assert.Equal(20, lag);
        await host.StopAsync();
    }

    [Fact]
    public async Task HealthCheckIsHealthyWithABrokerAndUnhealthyWithout()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("logs.raw", 3);
        using var up = Build(kafka.BootstrapServers, b => b.AddKafkaOptions());
        var healthy = await up.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Contains("3 partition(s)", healthy.Entries["kafka"].Description, StringComparison.Ordinal);

        using var down = Build("127.0.0.1:1", b => b.AddKafkaOptions());
        var unhealthy = await down.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.StartsWith("Kafka is not reachable at 127.0.0.1:1", unhealthy.Entries["kafka"].Description, StringComparison.Ordinal);
        // One check instance (and admin client) serves every check.
        Assert.Same(down.Services.GetRequiredService<KafkaHealthCheck>(), down.Services.GetRequiredService<KafkaHealthCheck>());
    }

    [Fact]
    public void MissingBootstrapServersIsExplained()
    {
        using var host = Build("", b => b.AddKafkaOptions());
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<KafkaOptions>>().Value);
        Assert.Contains("ConnectionStrings:kafka", ex.Message, StringComparison.Ordinal);
    }

    private static IHost Build(string bootstrapServers, Action<IHostApplicationBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:kafka"] = bootstrapServers,
            ["Kafka:StatisticsIntervalMs"] = "100",
        });
        configure(builder);
        return builder.Build();
    }

    // Only this host's meters: other tests in the process run their own Kafka clients.
    private static long Observe(IHost host, string instrument)
    {
        var scope = host.Services.GetRequiredService<IMeterFactory>();
        long total = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == KafkaMetrics.MeterName && ReferenceEquals(i.Meter.Scope, scope) && i.Name == instrument)
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => total += value);
        listener.Start();
        listener.RecordObservableInstruments();
        return total;
    }
}
