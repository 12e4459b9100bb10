using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using LogPipeline.Kafka;
using LogPipeline.Kafka.Embedded;

namespace LogPipeline.Tests.Kafka;

/// <summary>The embedded cluster: the native library it binds, and the fixed port the AppHost gives it.</summary>
public sealed class EmbeddedKafkaTests
{
    [Fact]
    public void TheMockClusterRunsInTheLibrdkafkaThatConfluentKafkaLoadedFromItsRedist()
    {
        using var kafka = EmbeddedKafka.Start();

        // The redist's file next to the tests, not an operating-system librdkafka (kcat's brings one).
        Assert.NotNull(KafkaNative.LoadedFrom);
        Assert.StartsWith(Path.Combine(AppContext.BaseDirectory, "runtimes"), KafkaNative.LoadedFrom, StringComparison.Ordinal);
        Assert.StartsWith("2.16", KafkaNative.Version, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnAFixedPortClientsProduceAndConsumeThroughThatPortOnly()
    {
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("fixed", 3);
        var port = LoopbackPort.Free();
        await using var listener = EmbeddedKafkaListener.Start(kafka, port);
        var bootstrap = $"127.0.0.1:{port}";

        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All }).Build())
        {
            for (var i = 0; i < 300; i++)
            {
                producer.Produce("fixed", new Message<string, string> { Key = $"k{i % 7}", Value = $"v{i}" });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(20)));
        }

        // An independent client: kcat sees one broker, advertised on the fixed port, and every record.
        var metadata = await Kcat.RunAsync("-b", bootstrap, "-L", "-t", "fixed");
        Assert.Contains($"broker 1 at 127.0.0.1:{port}", metadata, StringComparison.Ordinal);
        Assert.DoesNotContain(kafka.BootstrapServers, metadata, StringComparison.Ordinal);
        var values = (await Kcat.RunAsync("-b", bootstrap, "-C", "-t", "fixed", "-e", "-q", "-f", "%s\\n"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"v{i}").Order(), values.Order());
    }

    [Fact]
    public void ABusyPortIsRefusedAtStart()
    {
        using var kafka = EmbeddedKafka.Start();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();

        Assert.Throws<SocketException>(() => EmbeddedKafkaListener.Start(kafka, ((IPEndPoint)taken.LocalEndpoint).Port));
    }
}
