using LogPipeline.Ingest;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace LogPipeline.Testing;

/// <summary>The real ingest host (same registration as its Program.cs) in the test process, on free loopback ports.</summary>
public sealed class IngestHost : IAsyncDisposable
{
    private IngestHost(WebApplication app, int grpcPort, int httpPort)
    {
        App = app;
        Grpc = new Uri($"http://127.0.0.1:{grpcPort}");
        Http = new Uri($"http://127.0.0.1:{httpPort}");
    }

    public WebApplication App { get; }

    /// <summary>OTLP/gRPC, HTTP/2 cleartext.</summary>
    public Uri Grpc { get; }

    /// <summary>OTLP/HTTP; <c>/v1/logs</c> under it.</summary>
    public Uri Http { get; }

    public Uri LogsUrl => new(Http, OtlpHttpApi.Route);

    public static async Task<IngestHost> StartAsync(string bootstrapServers, IDictionary<string, string?>? settings = null)
    {
        var (grpcPort, httpPort) = (LoopbackPort.Free(), LoopbackPort.Free());
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:kafka"] = bootstrapServers,
            ["Ingest:GrpcPort"] = grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ingest:HttpPort"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ingest:BindAddress"] = "127.0.0.1",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddServiceDefaults();
        builder.AddIngest();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapIngest();
        await app.StartAsync();
        return new IngestHost(app, grpcPort, httpPort);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
