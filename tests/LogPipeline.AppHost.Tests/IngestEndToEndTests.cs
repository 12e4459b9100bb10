using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;

namespace LogPipeline.AppHost.Tests;

/// <summary>
/// The OTLP ingest as the AppHost runs it: the OpenTelemetry SDK's exporter sends to the endpoints it
/// declares (gRPC and HTTP, through Aspire's proxies), and the services' own logs arrive too.
/// </summary>
public sealed class IngestEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task OtlpLogsAndTheServicesOwnLogsReachTheApiThroughTheIngestsEndpoints()
    {
        using var folder = new TempFolder();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LogPipeline_AppHost>(AppHostArguments.Local("Sqlite", folder.Path));
        await using var app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        await app.StartAsync(timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("ingest", timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("api", timeout.Token);
        using var http = app.CreateHttpClient("api");
        http.DefaultRequestHeaders.Add("X-Api-Key", AppHostArguments.ApiKey);

        var run = Guid.NewGuid().ToString("N")[..8];
        var sent = new Dictionary<string, string>
        {
            [$"apphost-grpc-{run}"] = Send($"apphost-grpc-{run}", app.GetEndpoint("ingest", "otlp-grpc"), OtlpExportProtocol.Grpc),
            [$"apphost-http-{run}"] = Send($"apphost-http-{run}", new Uri(app.GetEndpoint("ingest", "otlp-http"), "/v1/logs"), OtlpExportProtocol.HttpProtobuf),
        };

        foreach (var (service, traceId) in sent)
        {
            var item = Assert.Single(await WaitForAsync(http, $"service={service}", timeout.Token));
            Assert.Equal($"hello from {service}", item.Message);
            Assert.Equal("warn", item.Level);
            Assert.Equal(traceId, item.TraceId);
        }

        // Own logs: Aspire names each service in OTEL_SERVICE_NAME.
        foreach (var service in new[] { "producer", "processor", "api" })
        {
            Assert.NotEmpty(await WaitForAsync(http, $"service={service}", timeout.Token));
        }

        Assert.Empty(await QueryAsync(http, "service=ingest", timeout.Token));
    }

    private static string Send(string service, Uri endpoint, OtlpExportProtocol protocol)
    {
        using var factory = LoggerFactory.Create(logging => logging.AddOpenTelemetry(otel =>
        {
            otel.IncludeFormattedMessage = true;
            otel.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service));
            otel.AddOtlpExporter(exporter =>
            {
                exporter.Endpoint = endpoint;
                exporter.Protocol = protocol;
            });
        }));
        using var activity = new Activity("apphost-e2e").Start();
#pragma warning disable CA1848, CA2254 // a real sender's plain call
        factory.CreateLogger("AppHostE2E").LogWarning($"hello from {service}");
#pragma warning restore CA1848, CA2254
        return activity.TraceId.ToHexString();
    }

    private static async Task<IReadOnlyList<LogItem>> WaitForAsync(HttpClient http, string filter, CancellationToken cancellationToken)
    {
        while (true)
        {
            var items = await QueryAsync(http, filter, cancellationToken);
            if (items.Count > 0)
            {
                return items;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    private static async Task<IReadOnlyList<LogItem>> QueryAsync(HttpClient http, string filter, CancellationToken cancellationToken)
    {
        var from = Uri.EscapeDataString(DateTime.UtcNow.AddHours(-1).ToString("O", CultureInfo.InvariantCulture));
        var to = Uri.EscapeDataString(DateTime.UtcNow.AddHours(1).ToString("O", CultureInfo.InvariantCulture));
        var page = await http.GetFromJsonAsync<LogPage>($"/api/logs?{filter}&from={from}&to={to}&limit=1000", cancellationToken);
        return page!.Items;
    }

    private sealed record LogPage(IReadOnlyList<LogItem> Items, string? NextCursor);

    private sealed record LogItem(long Id, string Service, string Level, string Message, string? TraceId);
}
