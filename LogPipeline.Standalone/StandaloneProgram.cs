using LogPipeline.Api;
using LogPipeline.Kafka.Embedded;
using LogPipeline.Processor;
using LogPipeline.Producer;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration.Memory;

namespace LogPipeline.Standalone;

/// <summary>
/// <c>dotnet run --project LogPipeline.Standalone</c>: the README's run command. A named class, not
/// top-level statements, because the Api's public <c>Program</c> would clash with a second one.
/// </summary>
public static partial class StandaloneProgram
{
    public static async Task<int> Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        // Lowest priority: anything on the command line, in the environment or appsettings wins.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults() });

        builder.AddEmbeddedKafkaIfEnabled();
        builder.AddServiceDefaults();
        builder.AddProcessor();
        builder.AddProducer();
        builder.AddApi();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapApi();
        app.Lifetime.ApplicationStarted.Register(() => Announce(app));
        return await app.RunOrExplainAsync();
    }

    private static Dictionary<string, string?> Defaults() => new()
    {
        ["Kafka:Embedded:Enabled"] = "true",
        ["Store:Provider"] = "Sqlite",
        // The embedded cluster starts empty each run, so the store must too: stored offsets from an
        // earlier run would point past the new cluster's records. Give ConnectionStrings:logsdb to keep one.
        ["ConnectionStrings:logsdb"] = $"Data Source={Path.Combine(Path.GetTempPath(), $"logpipeline-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.db")}",
        ["Producer:ExitWhenDone"] = "false",
        ["urls"] = "http://localhost:5000",
        // An open dashboard polls the API every few seconds: at Information each request's routing
        // and result lines would bury the pipeline's own. (Request lines and SQL commands are at
        // Warning already: AddApi's defaults.)
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
    };

    private static void Announce(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var store = app.Configuration.GetConnectionString("logsdb");
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LogPipeline.Standalone");
        foreach (var address in addresses)
        {
            LogDashboard(logger, address.TrimEnd('/') + "/", store);
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "LogPipeline is running. Dashboard: {Url}  (API under /api, OpenAPI at /openapi/v1.json; store: {Store}). Ctrl+C stops it.")]
    private static partial void LogDashboard(ILogger logger, string url, string? store);
}
