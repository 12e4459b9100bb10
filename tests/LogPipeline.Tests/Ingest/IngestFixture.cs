using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Confluent.Kafka;
using Google.Protobuf;
using LogPipeline.Ingest.Otlp;
using LogPipeline.Kafka;
using LogPipeline.Kafka.Embedded;

namespace LogPipeline.Tests.Ingest;

/// <summary>An embedded Kafka cluster and the real ingest in front of it, shared by one test class.</summary>
public sealed class IngestFixture : IAsyncLifetime
{
    public const int Partitions = 4;

    /// <summary>Small, so that limits are cheap to cross.</summary>
    public const int MaxRequestBytes = 1024 * 1024;

    public EmbeddedKafka Kafka { get; } = TestKafka.Start(Partitions, deadLetterPartitions: 1);

    public IngestHost Ingest { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync() =>
        Ingest = await IngestHost.StartAsync(Kafka.BootstrapServers, new Dictionary<string, string?>
        {
            ["Ingest:MaxRequestBytes"] = MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Ingest.DisposeAsync();
        Kafka.Dispose();
    }

    public Task<HttpResponseMessage> PostAsync(byte[] body, string contentType, string? contentEncoding = null) =>
        PostAsync(Http, Ingest.LogsUrl, body, contentType, contentEncoding);

    public static async Task<HttpResponseMessage> PostAsync(HttpClient http, Uri url, byte[] body, string contentType, string? contentEncoding = null)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (contentEncoding is not null)
        {
            content.Headers.ContentEncoding.Add(contentEncoding);
        }

        return await http.PostAsync(url, content);
    }

    /// <summary>A request of <paramref name="messages"/>, one record each, from <paramref name="service"/> (no resource when null).</summary>
    public static ExportLogsServiceRequest Request(string? service, params string[] messages)
    {
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "tests" } };
        foreach (var message in messages)
        {
            scope.LogRecords.Add(new LogRecord
            {
                TimeUnixNano = (ulong)(DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100,
                SeverityNumber = SeverityNumber.Info,
                Body = new AnyValue { StringValue = message },
            });
        }

        var resourceLogs = new ResourceLogs { ScopeLogs = { scope } };
        if (service is not null)
        {
            resourceLogs.Resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } } } };
        }

        return new ExportLogsServiceRequest { ResourceLogs = { resourceLogs } };
    }

    /// <summary>Reads the raw topic from the start until <paramref name="count"/> records match, then a moment longer for extras.</summary>
    public List<ConsumeResult<string?, byte[]>> Read(Func<ConsumeResult<string?, byte[]>, bool> match, int count, TimeSpan timeout)
    {
        KafkaNative.EnsureLoaded();
        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig { BootstrapServers = Kafka.BootstrapServers, GroupId = "t-" + Guid.NewGuid().ToString("N") }).Build();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset("logs.raw", p, Offset.Beginning)));
        var found = new List<ConsumeResult<string?, byte[]>>();
        var deadline = DateTime.UtcNow + timeout;
        var quietUntil = DateTime.MaxValue;
        while (DateTime.UtcNow < deadline && DateTime.UtcNow < quietUntil)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (r is { IsPartitionEOF: false } && match(r))
            {
                found.Add(r);
                if (found.Count == count)
                {
                    quietUntil = DateTime.UtcNow.AddMilliseconds(500);
                }
            }
        }

        return found;
    }

    public static byte[] Bytes(IMessage message) => message.ToByteArray();

    /// <summary>A gRPC unary call by hand: HTTP/2 with prior knowledge, one length-prefixed message, grpc-status in the trailers.</summary>
    public static async Task<(string? Status, byte[] Message, byte[]? StatusDetails)> GrpcExportAsync(HttpClient http, Uri grpc, byte[] message)
    {
        var frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(grpc, "/opentelemetry.proto.collector.logs.v1.LogsService/Export"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.ParseAdd("trailers");
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var values) ? values.First()
            : response.Headers.TryGetValues("grpc-status", out var early) ? early.First() : null;
        // An error before any message is "trailers-only": the trailers come as the response's headers.
        var details = response.TrailingHeaders.TryGetValues("grpc-status-details-bin", out var encoded) || response.Headers.TryGetValues("grpc-status-details-bin", out encoded)
            ? Convert.FromBase64String(PadBase64(encoded.First()))
            : null;
        return (status, body.Length >= 5 ? body[5..] : [], details);
    }

    /// <summary>gRPC sends binary metadata as unpadded base64.</summary>
    private static string PadBase64(string text) => text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
}
