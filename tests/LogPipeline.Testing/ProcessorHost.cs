using LogPipeline.Processor;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace LogPipeline.Testing;

/// <summary>Runs the real processor host (same registration as its Program.cs) in this process.</summary>
public static class ProcessorHost
{
    /// <summary>Builds the host without starting it, so a caller can attach to its services (a meter listener) first.</summary>
    public static WebApplication Build(IDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--urls", "http://127.0.0.1:0"] });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.AddProcessor();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        return app;
    }

    public static async Task<WebApplication> StartAsync(IDictionary<string, string?> settings)
    {
        var app = Build(settings);
        await app.StartAsync().ConfigureAwait(false);
        return app;
    }

    /// <summary>Settings for a processor on <paramref name="bootstrapServers"/> writing to the given store.</summary>
    public static Dictionary<string, string?> Settings(string bootstrapServers, StoreQueries store) => new()
    {
        ["ConnectionStrings:kafka"] = bootstrapServers,
        ["Store:Provider"] = store.Provider.ToString(),
        ["ConnectionStrings:logsdb"] = store.ConnectionString,
        ["Processor:BatchLatency"] = "00:00:00.050",
        // A member that leaves is replaced quickly on the embedded cluster (see environment notes).
        ["Kafka:Consumer:session.timeout.ms"] = "6000",
        // A member killed hard holds up the next rebalance for at most this long.
        ["Kafka:Consumer:max.poll.interval.ms"] = "10000",
        ["Kafka:StatisticsIntervalMs"] = "0",
    };
}
