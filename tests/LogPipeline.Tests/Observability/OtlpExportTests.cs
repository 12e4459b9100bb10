using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LogPipeline.Tests.Observability;

/// <summary>A running service exports traces, metrics and logs over OTLP/HTTP protobuf, configured only by the variables Aspire sets.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task ARunningProducerSendsTracesMetricsAndLogsAsProtobufToTheOtlpEndpoint()
    {
        var received = new ConcurrentBag<(string Path, string? ContentType, byte[] Body)>();
        var receiver = WebApplication.CreateBuilder();
        receiver.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = receiver.Build();
        app.MapPost("/v1/{signal}", async (HttpContext context, string signal) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Add(("/v1/" + signal, context.Request.ContentType, body.ToArray()));
            return Results.Ok();
        });
        await app.StartAsync();
        var endpoint = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "LogPipeline.Producer.dll"));
        foreach (var arg in new[] { "--urls=http://127.0.0.1:0", "--Kafka:Embedded:Enabled=true", "--Producer:EventsPerSecond=200", "--Kafka:StatisticsIntervalMs=200" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint;
        start.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        start.Environment["OTEL_SERVICE_NAME"] = "producer-under-test";
        start.Environment["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment=otlp-test";
        start.Environment["OTEL_METRIC_EXPORT_INTERVAL"] = "500";
        start.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "200";
        start.Environment["OTEL_BLRP_SCHEDULE_DELAY"] = "200";
        // The embedded cluster is quiet; a traced request shows ASP.NET Core's own spans too.
        using var producer = Process.Start(start)!;
        producer.OutputDataReceived += (_, _) => { };
        producer.ErrorDataReceived += (_, _) => { };
        producer.BeginOutputReadLine();
        producer.BeginErrorReadLine();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && !Expected.All(e => received.Any(r => r.Path == e.Signal && Contains(r.Body, e.Text))))
            {
                await Task.Delay(200);
            }
        }
        finally
        {
            producer.Kill(entireProcessTree: true);
            await producer.WaitForExitAsync();
        }

        foreach (var signal in new[] { "/v1/traces", "/v1/metrics", "/v1/logs" })
        {
            var requests = received.Where(r => r.Path == signal).ToList();
            Assert.True(requests.Count > 0, "nothing arrived at " + signal);
            Assert.All(requests, r => Assert.Equal("application/x-protobuf", r.ContentType));
            // Protobuf keeps strings as UTF-8: the resource's service name is in every request.
            Assert.All(requests, r => Assert.True(Contains(r.Body, "producer-under-test"), signal + " without the service name"));
        }

        // Our own spans, metrics and logs, and the resource attributes from the environment.
        Assert.All(Expected, e => Assert.Contains(received, r => r.Path == e.Signal && Contains(r.Body, e.Text)));
    }

    private static readonly (string Signal, string Text)[] Expected =
    [
        ("/v1/traces", "logs.raw publish"),
        ("/v1/metrics", "kafka.client.sent.messages"),
        ("/v1/logs", "Producing synthetic logs"),
        ("/v1/traces", "otlp-test"),
    ];

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}
