using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using Serilog;
using Serilog.Sinks.OpenTelemetry;

namespace LogPipeline.Tests.Ingest;

/// <summary>
/// Senders that no one here wrote (the OpenTelemetry SDK's OTLP exporter over gRPC and over
/// HTTP/protobuf, and Serilog's OpenTelemetry sink) log through the ingest of the whole pipeline
/// (LogPipeline.Standalone: embedded Kafka, the real processor, a SQLite store, the API); every
/// record comes back through the API exactly once, with its fields and trace ids.
/// </summary>
public sealed class OtlpClientsEndToEndTests
{
    private sealed record Expected(string Message, string Level, string TraceId, string SpanId);

    [Fact]
    public async Task OpenTelemetrySdkAndSerilogLogsComeBackThroughTheApiExactlyOnce()
    {
        using var folder = new TempFolder();
        using var pipeline = StandaloneProcess.Start(folder.Path, new Dictionary<string, string?> { ["Producer:EventsPerSecond"] = "20" });
        await pipeline.WaitHealthyAsync(TimeSpan.FromSeconds(90));
        var run = Guid.NewGuid().ToString("N")[..8];

        var senders = new (string Service, string Host, Func<string, string, List<Expected>> Send)[]
        {
            ($"otel-grpc-{run}", "host-grpc", (s, h) => SendWithOpenTelemetry(s, h, pipeline.OtlpGrpc, OtlpExportProtocol.Grpc)),
            ($"otel-http-{run}", "host-http", (s, h) => SendWithOpenTelemetry(s, h, new Uri(pipeline.OtlpHttp, "/v1/logs"), OtlpExportProtocol.HttpProtobuf)),
            ($"serilog-{run}", "host-serilog", (s, h) => SendWithSerilog(s, h, new Uri(pipeline.OtlpHttp, "/v1/logs"))),
        };

        using var api = new HttpClient { BaseAddress = pipeline.BaseAddress };
        foreach (var (service, host, send) in senders)
        {
            var expected = send(service, host);
            var items = await ReadBackAsync(api, service, expected.Count, pipeline);
            Assert.Equal(expected.Count, items.Count);
            foreach (var e in expected)
            {
                var item = Assert.Single(items, i => i.GetProperty("message").GetString() == e.Message);
                Assert.Equal(host, item.GetProperty("host").GetString());
                Assert.Equal(e.Level, item.GetProperty("level").GetString());
                Assert.Equal(e.TraceId, item.GetProperty("traceId").GetString());
                Assert.Equal(e.SpanId, item.GetProperty("spanId").GetString());
            }
        }
    }

    private static List<Expected> SendWithOpenTelemetry(string service, string host, Uri endpoint, OtlpExportProtocol protocol)
    {
        var expected = new List<Expected>();
        using (var factory = LoggerFactory.Create(logging => logging.AddOpenTelemetry(otel =>
        {
            otel.IncludeFormattedMessage = true;
            otel.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service).AddAttributes([new("host.name", host)]));
            otel.AddOtlpExporter(exporter =>
            {
                exporter.Endpoint = endpoint;
                exporter.Protocol = protocol;
            });
        })))
        {
            var logger = factory.CreateLogger("E2E");
            foreach (var (level, name) in new[] { (Microsoft.Extensions.Logging.LogLevel.Information, "info"), (Microsoft.Extensions.Logging.LogLevel.Warning, "warn"), (Microsoft.Extensions.Logging.LogLevel.Error, "error") })
            {
                for (var i = 0; i < 4; i++)
                {
                    using var activity = new Activity("e2e").Start();
                    var message = $"{service} {name} number {i}";
#pragma warning disable CA2254, CA1848 // a real sender's plain ILogger call is the point here
                    logger.Log(level, message);
#pragma warning restore CA2254, CA1848
                    expected.Add(new Expected(message, name, activity.TraceId.ToHexString(), activity.SpanId.ToHexString()));
                }
            }
        } // disposing the factory flushes the exporter

        return expected;
    }

    private static List<Expected> SendWithSerilog(string service, string host, Uri endpoint)
    {
        var expected = new List<Expected>();
        using (var logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.OpenTelemetry(options =>
            {
                options.Endpoint = endpoint.ToString();
                options.Protocol = OtlpProtocol.HttpProtobuf;
                options.ResourceAttributes = new Dictionary<string, object> { ["service.name"] = service, ["host.name"] = host };
            })
            .CreateLogger())
        {
            foreach (var (level, name) in new[] { (Serilog.Events.LogEventLevel.Debug, "debug"), (Serilog.Events.LogEventLevel.Information, "info"), (Serilog.Events.LogEventLevel.Fatal, "fatal") })
            {
                for (var i = 0; i < 4; i++)
                {
                    using var activity = new Activity("e2e").Start();
                    var message = $"{service} {name} number {i}";
                    logger.Write(level, message);
                    expected.Add(new Expected(message, name, activity.TraceId.ToHexString(), activity.SpanId.ToHexString()));
                }
            }
        } // disposing the logger flushes the sink

        return expected;
    }

    /// <summary>Polls the API until <paramref name="count"/> events of the service are stored, then once more after a pause to catch duplicates.</summary>
    private static async Task<List<JsonElement>> ReadBackAsync(HttpClient api, string service, int count, StandaloneProcess pipeline)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var items = new List<JsonElement>();
        while (DateTime.UtcNow < deadline)
        {
            items = await QueryAsync(api, service);
            if (items.Count >= count)
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
                return await QueryAsync(api, service);
            }

            await Task.Delay(500);
        }

        Assert.Fail($"{items.Count} of {count} events of {service} came back through the API.\n{pipeline.ReadLog()}");
        return items;
    }

    private static async Task<List<JsonElement>> QueryAsync(HttpClient api, string service)
    {
        using var response = await api.GetAsync(new Uri($"api/logs?service={service}&limit=1000&from={DateTime.UtcNow.AddHours(-2):O}&to={DateTime.UtcNow.AddHours(1):O}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return page.RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone()).ToList();
    }
}
