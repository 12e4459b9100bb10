using System.Data.Common;
using LogPipeline.Api;
using LogPipeline.Data;
using LogPipeline.Ingest;
using LogPipeline.Kafka.Embedded;
using LogPipeline.Processor;
using LogPipeline.Producer;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;

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
        // The embedded cluster starts empty each run, so the store must too: stored offsets from an
        // earlier run would point past the new cluster's records. This one is deleted on exit; give
        // ConnectionStrings:logsdb to keep one.
        var temporaryStore = Path.Combine(Path.GetTempPath(), $"logpipeline-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.db");
        // Lowest priority: anything on the command line, in the environment or appsettings wins.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults(temporaryStore) });

        builder.AddEmbeddedKafkaIfEnabled();
        builder.AddServiceDefaults();
        builder.AddProcessor(); // with the store and its schema, which the API reads here too
        builder.AddProducer();
        builder.AddApiServices();
        builder.AddIngest();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapApi();
        app.MapIngest();

        // The temporary store is this run's own unless configuration named another store.
        var store = app.Services.GetRequiredService<IOptions<StoreOptions>>().Value;
        var ownsStore = store.ConnectionString == TemporaryConnectionString(temporaryStore);
        app.Lifetime.ApplicationStarted.Register(() => Announce(app, ownsStore ? temporaryStore + ", deleted on exit" : WithoutSecrets(store.GetConnectionString())));
        try
        {
            return await app.RunOrExplainAsync();
        }
        finally
        {
            // The host has stopped (and is disposed), but SQLite's pool still holds connections to the file.
            if (ownsStore)
            {
                SqliteConnection.ClearAllPools();
                await DeleteStoreAsync(temporaryStore);
            }
        }
    }

    private static string TemporaryConnectionString(string path) => $"Data Source={path}";

    /// <summary>The connection string for the console, its password masked (a MariaDB store has one).</summary>
    private static string WithoutSecrets(string connectionString)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (var key in (string[])["password", "pwd"])
        {
            if (builder.ContainsKey(key))
            {
                builder[key] = "***";
            }
        }

        return builder.ConnectionString;
    }

    private static Dictionary<string, string?> Defaults(string temporaryStore) => new()
    {
        ["Kafka:Embedded:Enabled"] = "true",
        ["Store:Provider"] = "Sqlite",
        ["ConnectionStrings:logsdb"] = TemporaryConnectionString(temporaryStore),
        ["Producer:ExitWhenDone"] = "false",
        ["urls"] = "http://localhost:5000",
        // An open dashboard polls the API every few seconds: at Information each request's routing
        // and result lines would bury the pipeline's own. (Request lines and SQL commands are at
        // Warning already: AddApi's defaults.)
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
    };

    /// <summary>The SQLite file with its WAL and shared-memory files (and a rollback journal, were there one).</summary>
    private static async Task DeleteStoreAsync(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            try
            {
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"Could not delete the temporary store file {file}: {e.Message}");
            }
        }
    }

    private static void Announce(WebApplication app, string store)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LogPipeline.Standalone");
        // The server also lists the ingest's OTLP ports: they serve no page, so they are named apart.
        var ingest = app.Services.GetRequiredService<IOptions<IngestOptions>>().Value;
        var otlpPorts = new[] { ingest.GrpcPort, ingest.HttpPort };
        foreach (var address in addresses.Where(a => !otlpPorts.Contains(BindingAddress.Parse(a).Port)))
        {
            LogDashboard(logger, address.TrimEnd('/') + "/", store);
        }

        LogIngest(logger, ingest.GrpcPort, ingest.HttpPort);
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "LogPipeline is running. Dashboard: {Url}  (API under /api, OpenAPI at /openapi/v1.json; store: {Store}). Ctrl+C stops it.")]
    private static partial void LogDashboard(ILogger logger, string url, string store);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "OTLP log ingest: gRPC on port {GrpcPort}, HTTP POST /v1/logs on port {HttpPort} (0: off).")]
    private static partial void LogIngest(ILogger logger, int grpcPort, int httpPort);
}
