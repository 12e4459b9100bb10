using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A service's own logs into the pipeline: with <c>OwnLogs:Endpoint</c> set (an OTLP endpoint of
/// LogPipeline.Ingest), logs at Information and above go there through the OpenTelemetry OTLP log
/// exporter, beside whatever else receives them. Off unless set; the AppHost sets it for the
/// producer, processor and API in its local run (never for the ingest: its logs would come back
/// to it).
/// </summary>
public static class OwnLogs
{
    public const string SectionName = "OwnLogs";

    /// <summary>
    /// Adds the exporter when <c>OwnLogs:Endpoint</c> is set. <c>OwnLogs:Protocol</c> is <c>grpc</c>
    /// (the default) or <c>http/protobuf</c>, whose endpoint is the full URL (<c>.../v1/logs</c>).
    /// </summary>
    public static TBuilder AddOwnLogs<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var section = builder.Configuration.GetSection(SectionName);
        if (string.IsNullOrWhiteSpace(section["Endpoint"]))
        {
            return builder;
        }

        if (!Uri.TryCreate(section["Endpoint"], UriKind.Absolute, out var endpoint))
        {
            throw new InvalidOperationException($"OwnLogs:Endpoint must be an absolute URL; got '{section["Endpoint"]}'.");
        }

        var protocol = section["Protocol"] switch
        {
            null or "" or "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            var other => throw new InvalidOperationException($"OwnLogs:Protocol must be grpc or http/protobuf; got '{other}'."),
        };

        // Aspire names the service in OTEL_SERVICE_NAME; without it, the application's name. Read
        // from configuration (the SDK itself reads only the environment variable).
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"];
        var resource = ResourceBuilder.CreateDefault()
            .AddService(string.IsNullOrWhiteSpace(serviceName) ? builder.Environment.ApplicationName : serviceName)
            .AddAttributes([new("host.name", Environment.MachineName)]);

        builder.Services.AddSingleton<ILoggerProvider>(_ => new OwnLogsLoggerProvider(LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Trace) // the filters below, on the host's factory, decide
            .AddOpenTelemetry(otel =>
            {
                otel.IncludeFormattedMessage = true;
                otel.SetResourceBuilder(resource);
                otel.AddOtlpExporter(exporter =>
                {
                    exporter.Endpoint = endpoint;
                    exporter.Protocol = protocol;
                });
            }))));

        // Information and above, but nothing logged per request or per query: each such line would
        // be a record in the pipeline for every request the pipeline serves (the dashboard polls).
        builder.Logging.AddFilter<OwnLogsLoggerProvider>(null, LogLevel.Information);
        builder.Logging.AddFilter<OwnLogsLoggerProvider>("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter<OwnLogsLoggerProvider>("System.Net.Http", LogLevel.Warning);
        builder.Logging.AddFilter<OwnLogsLoggerProvider>("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Logging.AddFilter<OwnLogsLoggerProvider>("Polly", LogLevel.Warning);
        return builder;
    }
}
