using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every LogPipeline service shares, shaped like the Aspire service-defaults template:
/// OpenTelemetry (traces, metrics, logs over OTLP), health checks and their endpoints.
/// </summary>
public static class Extensions
{
    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";

    /// <summary>Every LogPipeline ActivitySource and Meter is named "LogPipeline.Something".</summary>
    private const string OwnSources = "LogPipeline.*";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        return builder;
    }

    /// <summary>
    /// Exports traces, metrics and logs over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (as
    /// Aspire sets it), honouring <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_EXPORTER_OTLP_HEADERS</c>,
    /// <c>OTEL_SERVICE_NAME</c> and <c>OTEL_RESOURCE_ATTRIBUTES</c>. Without it nothing is registered:
    /// no listener, so activities are not even created.
    /// </summary>
    /// <remarks>
    /// .NET 10's ASP.NET Core, HttpClient and runtime publish their own ActivitySources and Meters, so
    /// the SDK subscribes to them by name; the OpenTelemetry.Instrumentation.* and
    /// OpenTelemetry.Extensions.Hosting packages are not needed (our package source lacks them).
    /// </remarks>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return builder;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        new TelemetryBuilder(builder.Services)
            .WithMetrics(metrics => metrics
                .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "System.Runtime")
                .AddMeter(OwnSources))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName, "Microsoft.AspNetCore", "System.Net.Http")
                .AddSource(OwnSources))
            .UseOtlpExporter();

        // What OpenTelemetry.Extensions.Hosting's hosted service does: build the providers at start,
        // so they listen before the first request or record.
        builder.Services.AddHostedService<TelemetryStarter>();
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        // "live": the process answers at all; the other checks say whether it can do its work.
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// Validates options (those registered with ValidateOnStart) before anything starts, then runs
    /// the host. Invalid configuration prints each problem and returns exit code 2, instead of the
    /// host's "Hosting failed to start" stack trace; otherwise the exit code is
    /// <see cref="Environment.ExitCode"/>, which a service sets when it ends with work undone.
    /// </summary>
    public static async Task<int> RunOrExplainAsync(this IHost host)
    {
        try
        {
            host.Services.GetService<IStartupValidator>()?.Validate();
            await host.RunAsync();
            return Environment.ExitCode;
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync("Configuration is not valid:");
            foreach (var failure in ex.Failures)
            {
                await Console.Error.WriteLineAsync("  - " + failure);
            }

            return 2;
        }
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        return app;
    }

    private sealed class TelemetryBuilder(IServiceCollection services) : IOpenTelemetryBuilder
    {
        public IServiceCollection Services { get; } = services;
    }

    private sealed class TelemetryStarter(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetService<TracerProvider>();
            _ = services.GetService<MeterProvider>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
