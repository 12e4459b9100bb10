using System.Net;
using LogPipeline.Kafka;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LogPipeline.Ingest;

public static class Extensions
{
    /// <summary>
    /// The OTLP log ingest: options (validated at start), the shared Kafka producer, the export and
    /// its publisher, gRPC, and Kestrel listening on the OTLP ports besides the host's own URLs.
    /// </summary>
    public static IHostApplicationBuilder AddIngest(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.AddKafkaProducer(config =>
            // An export waits this long for acks; librdkafka gives up on a record then too, so a
            // record we answered "unavailable" for is not delivered later behind the sender's retry.
            // In a process whose producer another service registered first (Standalone) that
            // service's settings apply.
            config.MessageTimeoutMs ??= (int)(configuration.GetSection(IngestOptions.SectionName).Get<IngestOptions>() ?? new IngestOptions()).ExportTimeout.TotalMilliseconds);

        builder.Services.AddOptions<IngestOptions>()
            .BindConfiguration(IngestOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OtlpPublisher>();
        builder.Services.AddSingleton<LogsExport>();
        builder.Services.AddProblemDetails();
        builder.Services.AddGrpc();
        builder.Services.AddOptions<Grpc.AspNetCore.Server.GrpcServiceOptions>()
            .Configure<IOptions<IngestOptions>>(static (grpc, ingest) =>
            {
                grpc.MaxReceiveMessageSize = ingest.Value.MaxRequestBytes;
                grpc.EnableDetailedErrors = false;
            });
        builder.Services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<IngestOptions>>((kestrel, ingest) => ListenOnOtlpPorts(kestrel, ingest.Value, configuration));
        return builder;
    }

    public static IEndpointRouteBuilder MapIngest(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<OtlpGrpcService>();
        app.MapOtlpHttpApi();
        return app;
    }

    /// <summary>
    /// gRPC needs HTTP/2, which cleartext Kestrel speaks only on an HTTP/2-only endpoint, so the
    /// ports are declared in code. Endpoints declared in code replace the host's URLs
    /// (<c>urls</c>, <c>http_ports</c>, which Aspire and the container images set), so those are
    /// declared again here: in one process the API keeps its address beside the ingest's ports.
    /// </summary>
    private static void ListenOnOtlpPorts(KestrelServerOptions kestrel, IngestOptions ingest, IConfiguration configuration)
    {
        if (ingest.GrpcPort == 0 && ingest.HttpPort == 0)
        {
            return;
        }

        if (ingest.GrpcPort != 0)
        {
            Listen(kestrel, ingest.BindAddress, ingest.GrpcPort, HttpProtocols.Http2);
        }

        if (ingest.HttpPort != 0)
        {
            Listen(kestrel, ingest.BindAddress, ingest.HttpPort, HttpProtocols.Http1);
        }

        var urls = configuration["urls"];
        if (!string.IsNullOrWhiteSpace(urls))
        {
            foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var address = BindingAddress.Parse(url);
                if (!address.Scheme.Equals("http", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"With the OTLP ingest's ports the host's URLs must be http; '{url}' is not (give Ingest:GrpcPort=0 and Ingest:HttpPort=0 and bind them through Kestrel:Endpoints instead).");
                }

                Listen(kestrel, address.Host, address.Port, HttpProtocols.Http1AndHttp2);
            }
        }
        else if (configuration["http_ports"] is { Length: > 0 } ports)
        {
            foreach (var port in ports.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                kestrel.ListenAnyIP(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    private static void Listen(KestrelServerOptions kestrel, string host, int port, HttpProtocols protocols)
    {
        Action<ListenOptions> configure = listen => listen.Protocols = protocols;
        if (host is "*" or "+" or "0.0.0.0" or "[::]")
        {
            kestrel.ListenAnyIP(port, configure);
        }
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(port, configure);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(host.Trim('[', ']')), port, configure);
        }
    }
}
