using LogPipeline.Producer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LogPipeline.Testing;

/// <summary>Runs the real producer host (same registration as its Program.cs) in the test process.</summary>
public static class ProducerHost
{
    public static async Task<WebApplication> StartAsync(IDictionary<string, string?> settings, TimeProvider? time = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--urls", "http://127.0.0.1:0"] });
        builder.Configuration.AddInMemoryCollection(settings);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.AddServiceDefaults();
        builder.AddProducer();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        return app;
    }

    /// <summary>Waits until the producer's source is exhausted and flushed, then stops the host.</summary>
    public static async Task RunToCompletionAsync(this WebApplication app, TimeSpan timeout)
    {
        await app.Services.GetServices<IHostedService>().OfType<ProducerWorker>().Single().Completion.WaitAsync(timeout);
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
