using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LogPipeline.Kafka.Embedded;

public static partial class EmbeddedKafkaExtensions
{
    /// <summary>
    /// With <c>Kafka:Embedded:Enabled=true</c>: starts an <see cref="EmbeddedKafka"/> now, creates the
    /// configured topics and points <c>ConnectionStrings:kafka</c> at it, so every Kafka client of
    /// this process uses it. The cluster stops when the host is disposed, after the Kafka clients.
    /// Call it before anything that reads the Kafka connection string.
    /// </summary>
    public static IHostApplicationBuilder AddEmbeddedKafkaIfEnabled(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(EmbeddedKafkaOptions.SectionName).Get<EmbeddedKafkaOptions>() ?? new();
        if (!options.Enabled)
        {
            return builder;
        }

        var topics = builder.Configuration.GetSection(KafkaOptions.SectionName).Get<KafkaOptions>()?.Topics ?? new KafkaTopics();
        var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic(topics.Raw, options.RawPartitions);
        kafka.CreateTopic(topics.DeadLetter, options.DeadLetterPartitions);
        var listener = options.Port > 0 ? StartListener(kafka, options.Port) : null;
        var bootstrapServers = listener is null ? kafka.BootstrapServers : $"127.0.0.1:{listener.Port}";
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:" + KafkaOptions.ConnectionName] = bootstrapServers,
        });
        if (listener is not null)
        {
            builder.Services.AddSingleton(listener);
        }

        // Created by the container through a factory, and resolved first (by the hosted service
        // registered first), so the container disposes it last: after the clients that use it.
        builder.Services.AddSingleton(_ => kafka);
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(sp =>
            new EmbeddedKafkaLifetime(bootstrapServers, options, topics, sp.GetRequiredService<ILogger<EmbeddedKafka>>())));
        return builder;
    }

    private static EmbeddedKafkaListener StartListener(EmbeddedKafka kafka, int port)
    {
        try
        {
            return EmbeddedKafkaListener.Start(kafka, port);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            kafka.Dispose();
            throw new InvalidOperationException($"Kafka:Embedded:Port {port} cannot be used: {ex.Message}. Choose a free port, or 0 for a random one.", ex);
        }
    }

    private sealed partial class EmbeddedKafkaLifetime(
        string bootstrapServers, EmbeddedKafkaOptions options, KafkaTopics topics, ILogger logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogStarted(logger, bootstrapServers, topics.Raw, options.RawPartitions, topics.DeadLetter, options.DeadLetterPartitions,
                EmbeddedKafka.PartitionCapacityBytes / (1024 * 1024));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(EventId = 1101, Level = LogLevel.Warning,
            Message = "Embedded Kafka (librdkafka mock cluster) at {BootstrapServers}: topics {RawTopic} ({RawPartitions} partitions) and {DeadLetterTopic} ({DeadLetterPartitions}). " +
                      "It keeps everything in memory, loses it on exit, and keeps at most {CapacityMiB} MiB per partition (older messages are deleted silently). For local runs and tests only.")]
        private static partial void LogStarted(ILogger logger, string bootstrapServers, string rawTopic, int rawPartitions, string deadLetterTopic, int deadLetterPartitions, long capacityMiB);
    }
}
