using LogPipeline.Data;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace LogPipeline.Tests.Observability;

public sealed class HealthTests
{
    [Fact]
    public async Task ARunningProcessorIsHealthyWithKafkaAndTheStoreOverHttp()
    {
        using var temp = new TempFolder();
        using var kafka = TestKafka.Start();
        var store = new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(temp.Path, "health.db")}");
        var app = await ProcessorHost.StartAsync(ProcessorHost.Settings(kafka.BootstrapServers, store));
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            Assert.Equal("Healthy", await http.GetStringAsync("/health"));
            Assert.Equal("Healthy", await http.GetStringAsync("/alive"));
            var report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            Assert.Equal(["kafka", "logsdb", "self"], report.Entries.Keys.Order());
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task AnUnreachableStoreIsUnhealthy()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Store:Provider"] = "Sqlite",
            ["ConnectionStrings:logsdb"] = "Data Source=/nonexistent-folder/none/store.db;Mode=ReadWrite",
        });
        builder.AddLogStore();
        using var host = builder.Build();
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["logsdb"].Status);
    }
}
