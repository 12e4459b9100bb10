using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LogPipeline.Tests.Ingest;

/// <summary>The OwnLogs setting of the service defaults: a service's own logs through the ingest into Kafka.</summary>
[Collection(nameof(IngestFixture))]
public sealed class OwnLogsTests(IngestFixture fixture)
{
    [Theory]
    [InlineData("grpc")]
    [InlineData("http/protobuf")]
    public async Task InformationAndAboveGoThroughTheIngestButRequestLinesDoNot(string protocol)
    {
        var service = $"own-logs-{protocol.Replace('/', '-')}-{Guid.NewGuid():N}";
        var endpoint = protocol == "grpc" ? fixture.Ingest.Grpc : fixture.Ingest.LogsUrl;
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OwnLogs:Endpoint"] = endpoint.ToString(),
            ["OwnLogs:Protocol"] = protocol,
            ["OTEL_SERVICE_NAME"] = service,
        });
        builder.AddServiceDefaults();
        using (var host = builder.Build())
        {
            var loggers = host.Services.GetRequiredService<ILoggerFactory>();
            var own = loggers.CreateLogger("LogPipeline.Processor.Test");
            var request = loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");
#pragma warning disable CA1848, CA2254 // plain calls: what is under test is where they go
            own.LogInformation("own information line");
            own.LogWarning("own warning line");
            own.LogDebug("own debug line");
            request.LogInformation("request finished line");
            request.LogWarning("request warning line");
#pragma warning restore CA1848, CA2254
        } // disposing the host flushes the exporter

        var records = fixture.Read(r => r.Message.Key == service, 3, TimeSpan.FromSeconds(15))
            .Select(r => Encoding.UTF8.GetString(r.Message.Value))
            .ToList();
        Assert.Equal(3, records.Count);
        Assert.Single(records, r => r.Contains("own information line", StringComparison.Ordinal) && r.Contains("\"level\":\"info\"", StringComparison.Ordinal));
        Assert.Single(records, r => r.Contains("own warning line", StringComparison.Ordinal) && r.Contains("\"level\":\"warn\"", StringComparison.Ordinal));
        Assert.Single(records, r => r.Contains("request warning line", StringComparison.Ordinal));
    }

    [Fact]
    public void IsOffUnlessConfigured()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddServiceDefaults();
        using var host = builder.Build();
        Assert.DoesNotContain(host.Services.GetServices<ILoggerProvider>(), p => p is OwnLogsLoggerProvider);
    }
}
