using System.Net;
using System.Text;
using LogPipeline.Ingest;
using LogPipeline.Kafka.Embedded;
using Microsoft.Extensions.DependencyInjection;

namespace LogPipeline.Tests.Ingest;

/// <summary>When Kafka cannot take more, senders are told to retry later, and what they retry arrives exactly once.</summary>
public sealed class IngestBackpressureTests
{
    [Fact]
    public async Task UnreachableKafkaAndTheInFlightLimitAskForRetriesThenEverythingArrivesOnce()
    {
        // Kafka's address is known before Kafka runs: the ingest starts against a port nobody listens on.
        var port = LoopbackPort.Free();
        var ingest = await IngestHost.StartAsync($"127.0.0.1:{port}", new Dictionary<string, string?>
        {
            ["Ingest:MaxInFlightRecords"] = "10",
            ["Ingest:ExportTimeout"] = "00:00:02",
            ["Ingest:UnavailableRetryAfter"] = "00:00:01",
            ["Ingest:BusyRetryAfter"] = "00:00:01",
        });
        EmbeddedKafka? kafka = null;
        EmbeddedKafkaListener? listener = null;
        try
        {
            await RunAsync(ingest, port, k => kafka = k, l => listener = l);
        }
        finally
        {
            // The ingest's producer goes before the cluster it is connected to.
            await ingest.DisposeAsync();
            if (listener is not null)
            {
                await listener.DisposeAsync();
            }

            kafka?.Dispose();
        }
    }

    private static async Task RunAsync(IngestHost ingest, int port, Action<EmbeddedKafka> kafkaStarted, Action<EmbeddedKafkaListener> listening)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var run = Guid.NewGuid().ToString("N")[..8];
        var first = IngestFixture.Bytes(IngestFixture.Request("backpressure", Enumerable.Range(0, 8).Select(i => $"{run} first {i}").ToArray()));
        var second = IngestFixture.Bytes(IngestFixture.Request("backpressure", Enumerable.Range(0, 8).Select(i => $"{run} second {i}").ToArray()));

        var waiting = IngestFixture.PostAsync(http, ingest.LogsUrl, first, OtlpHttpApi.ProtobufContentType);
        var publisher = ingest.App.Services.GetRequiredService<OtlpPublisher>();
        while (publisher.InFlight == 0 && !waiting.IsCompleted)
        {
            await Task.Delay(10);
        }

        using (var busy = await IngestFixture.PostAsync(http, ingest.LogsUrl, second, OtlpHttpApi.ProtobufContentType))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, busy.StatusCode);
            Assert.Equal("1", busy.Headers.GetValues("Retry-After").Single());
            Assert.Equal(8, LogPipeline.Ingest.Rpc.Status.Parser.ParseFrom(await busy.Content.ReadAsByteArrayAsync()).Code); // RESOURCE_EXHAUSTED
        }

        // Over gRPC the same limit: RESOURCE_EXHAUSTED with a RetryInfo, which OTLP senders need to retry it.
        var (busyStatus, _, busyDetails) = await IngestFixture.GrpcExportAsync(http, ingest.Grpc, second);
        Assert.False(waiting.IsCompleted, "the first export was answered before the gRPC one could meet the in-flight limit");
        Assert.Equal("8", busyStatus);
        var exhausted = LogPipeline.Ingest.Rpc.Status.Parser.ParseFrom(busyDetails);
        Assert.Equal(8, exhausted.Code);
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.Single(exhausted.Details).Unpack<LogPipeline.Ingest.Rpc.RetryInfo>().RetryDelay.ToTimeSpan());

        using (var unavailable = await waiting)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
            Assert.True(unavailable.Headers.Contains("Retry-After"));
            Assert.Equal(14, LogPipeline.Ingest.Rpc.Status.Parser.ParseFrom(await unavailable.Content.ReadAsByteArrayAsync()).Code); // UNAVAILABLE
        }

        // Over gRPC the same: UNAVAILABLE, with the retry advice in a google.rpc.RetryInfo.
        var (grpcStatus, _, details) = await IngestFixture.GrpcExportAsync(http, ingest.Grpc, IngestFixture.Bytes(IngestFixture.Request("backpressure-grpc", "refused")));
        Assert.Equal("14", grpcStatus);
        var status = LogPipeline.Ingest.Rpc.Status.Parser.ParseFrom(details);
        Assert.Equal(14, status.Code);
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.Single(status.Details).Unpack<LogPipeline.Ingest.Rpc.RetryInfo>().RetryDelay.ToTimeSpan());

        // Kafka comes up on the port the ingest was given; the senders retry as told until they succeed.
        var kafka = TestKafka.Start(IngestFixture.Partitions, deadLetterPartitions: 1);
        kafkaStarted(kafka);
        listening(EmbeddedKafkaListener.Start(kafka, port));
        foreach (var body in new[] { first, second })
        {
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (true)
            {
                using var response = await IngestFixture.PostAsync(http, ingest.LogsUrl, body, OtlpHttpApi.ProtobufContentType);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }

                Assert.Contains(response.StatusCode, new[] { HttpStatusCode.ServiceUnavailable, HttpStatusCode.TooManyRequests });
                Assert.True(DateTime.UtcNow < deadline, "the ingest never recovered after Kafka came up");
                await Task.Delay(TimeSpan.FromSeconds(int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        // The gRPC export above is left out: it was answered UNAVAILABLE and never retried.
        var stored = KafkaTestClient.ReadAll(kafka.BootstrapServers, "logs.raw", IngestFixture.Partitions, 16, TimeSpan.FromSeconds(20))
            .Where(r => r.Message.Key == "backpressure")
            .Select(r => Encoding.UTF8.GetString(r.Message.Value))
            .ToList();
        var expected = Enumerable.Range(0, 8).SelectMany(i => new[] { $"{run} first {i}", $"{run} second {i}" }).ToList();
        Assert.Equal(16, stored.Count);
        Assert.All(expected, m => Assert.Single(stored, s => s.Contains($"\"{m}\"", StringComparison.Ordinal)));
    }
}
