using Confluent.Kafka;
using LogPipeline.Resilience;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LogPipeline.Kafka;

/// <summary>
/// Kafka client registration, shaped like Aspire.Confluent.Kafka's <c>AddKafkaProducer</c> and
/// <c>AddKafkaConsumer</c> (which need a newer librdkafka than our machines have): bootstrap servers
/// from <c>ConnectionStrings:kafka</c>, everything else from the <c>Kafka</c> section, a health
/// check, librdkafka logs in ILogger and librdkafka statistics as .NET metrics.
/// </summary>
public static class KafkaExtensions
{
    /// <summary>Binds and validates <see cref="KafkaOptions"/> and adds the shared pieces (metrics, health check).</summary>
    public static IHostApplicationBuilder AddKafkaOptions(this IHostApplicationBuilder builder)
    {
        // Both AddKafkaProducer and AddKafkaConsumer need these, and the processor calls both.
        if (builder.Services.Any(static s => s.ServiceType == typeof(KafkaMetrics)))
        {
            return builder;
        }

        builder.Services.AddOptions<KafkaOptions>()
            .BindConfiguration(KafkaOptions.SectionName)
            .PostConfigure<IConfiguration>(static (options, configuration) =>
            {
                var connectionString = configuration.GetConnectionString(KafkaOptions.ConnectionName);
                if (!string.IsNullOrWhiteSpace(connectionString))
                {
                    options.BootstrapServers = connectionString;
                }
            })
            .Validate(static o => !string.IsNullOrWhiteSpace(o.BootstrapServers),
                $"Kafka bootstrap servers are not set: give ConnectionStrings:{KafkaOptions.ConnectionName} (ConnectionStrings__{KafkaOptions.ConnectionName}=host:port) or Kafka:BootstrapServers.")
            .Validate(static o => !string.IsNullOrWhiteSpace(o.Topics.Raw) && !string.IsNullOrWhiteSpace(o.Topics.DeadLetter),
                "Kafka:Topics:Raw and Kafka:Topics:DeadLetter must not be empty.")
            .Validate(static o => o.StatisticsIntervalMs >= 0, "Kafka:StatisticsIntervalMs must be 0 (off) or a positive number of milliseconds.")
            .Validate(static o => o.OutageLogInterval > TimeSpan.Zero, "Kafka:OutageLogInterval must be positive.")
            .ValidateOnStart();

        builder.Services.AddOptions<KafkaProduceResilienceOptions>().BindConfiguration(KafkaProduceResilienceOptions.SectionName);
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<KafkaMetrics>();
        // One instance for the process: AddCheck<T> alone makes a new one, with a new admin client, per check.
        builder.Services.TryAddSingleton<KafkaHealthCheck>();
        builder.Services.AddHealthChecks().AddCheck<KafkaHealthCheck>("kafka", HealthStatus.Unhealthy, ["ready"]);
        return builder;
    }

    /// <summary>
    /// Registers a singleton <see cref="IProducer{TKey,TValue}"/> (key: UTF-8 string, value: raw bytes).
    /// Defaults favour no loss: acks=all and idempotence; <c>Kafka:Producer</c> overrides them.
    /// </summary>
    public static IHostApplicationBuilder AddKafkaProducer(this IHostApplicationBuilder builder, Action<ProducerConfig>? configure = null)
    {
        builder.AddKafkaOptions();
        builder.Services.TryAddSingleton<IProducer<string?, byte[]>>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<KafkaOptions>>().Value;
            var config = new ProducerConfig
            {
                BootstrapServers = options.BootstrapServers,
                Acks = Acks.All,
                EnableIdempotence = true,
                LingerMs = 5,
                StatisticsIntervalMs = options.StatisticsIntervalMs,
            };
            Apply(config, options.Producer);
            configure?.Invoke(config);

            KafkaNative.EnsureLoaded();
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("LogPipeline.Kafka.Producer");
            var (warnings, errors) = (new OutageLog(options.OutageLogInterval), new OutageLog(options.OutageLogInterval));
            var metrics = sp.GetRequiredService<KafkaMetrics>();
            // The log handler gets its client's name from the message, never from the client: see LogHandler.
            return new ProducerBuilder<string?, byte[]>(config)
                .SetLogHandler((_, m) => LogHandler(logger, warnings, m))
                .SetErrorHandler((p, e) => ErrorHandler(logger, errors, p.Name, e))
                .SetStatisticsHandler((p, json) => OnStatistics(metrics, logger, p.Name, json))
                .Build();
        });
        return builder;
    }

    /// <summary>
    /// Registers a singleton <see cref="KafkaConsumerFactory"/> for consumers with manual offset
    /// commits (enable.auto.commit=false): the application decides when a record is done. The
    /// consumer is built by whoever uses it, so its partition handlers are set where they are handled.
    /// </summary>
    public static IHostApplicationBuilder AddKafkaConsumer(this IHostApplicationBuilder builder, string defaultGroupId, Action<ConsumerConfig>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(defaultGroupId);
        builder.AddKafkaOptions();
        builder.Services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<KafkaOptions>>().Value;
            var config = new ConsumerConfig
            {
                BootstrapServers = options.BootstrapServers,
                GroupId = defaultGroupId,
                EnableAutoCommit = false,
                EnableAutoOffsetStore = false,
                AutoOffsetReset = AutoOffsetReset.Earliest,
                StatisticsIntervalMs = options.StatisticsIntervalMs,
            };
            Apply(config, options.Consumer);
            configure?.Invoke(config);
            return new KafkaConsumerFactory(config, options.OutageLogInterval, sp.GetRequiredService<KafkaMetrics>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("LogPipeline.Kafka.Consumer"));
        });
        return builder;
    }

    /// <summary>A consumer builder with librdkafka's logs, errors and statistics wired as for every client here.</summary>
    internal static ConsumerBuilder<string?, byte[]> ConsumerBuilder(ConsumerConfig config, TimeSpan outageLogInterval, KafkaMetrics metrics, ILogger logger)
    {
        KafkaNative.EnsureLoaded();
        var (warnings, errors) = (new OutageLog(outageLogInterval), new OutageLog(outageLogInterval));
        return new ConsumerBuilder<string?, byte[]>(config)
            .SetLogHandler((_, m) => LogHandler(logger, warnings, m))
            .SetErrorHandler((c, e) => ErrorHandler(logger, errors, c.Name, e))
            .SetStatisticsHandler((c, json) => OnStatistics(metrics, logger, c.Name, json))
            .SetKeyDeserializer(InternedKeyDeserializer.Instance);
    }

    /// <summary>
    /// librdkafka calls its log callback from its own threads (rdk:main, broker threads) as soon as
    /// rd_kafka_new starts them, before Confluent.Kafka has stored the client's native handle. The
    /// client's <c>Name</c> reads that handle, so touching it here threw on a native thread and took
    /// the process down (SIGSEGV, exit 139, with <c>debug=cgrp</c> or <c>debug=all</c>, which log
    /// during construction). The message carries the name librdkafka gave the client.
    /// The error and statistics handlers are served by the client's poll (Consume, or the producer's
    /// poll task), which runs only once construction is over, so their client's name is safe to read.
    /// </summary>
    /// <remarks>
    /// Warnings and errors are throttled (<see cref="KafkaOptions.OutageLogInterval"/>): while a broker is
    /// down librdkafka reports every failed reconnect.
    /// </remarks>
    private static void LogHandler(ILogger logger, OutageLog warnings, LogMessage message)
    {
        var level = KafkaLog.ToLogLevel(message.Level);
        if (level < Microsoft.Extensions.Logging.LogLevel.Warning)
        {
            KafkaLog.Native(logger, level, message.Name, message.Facility, message.Message);
        }
        else if (warnings.ShouldLog(TimeProvider.System.GetUtcNow(), out _, out var suppressed))
        {
            KafkaLog.NativeThrottled(logger, level, message.Name, message.Facility, message.Message, suppressed);
        }
    }

    /// <summary>Client errors (brokers down, transport failures) once, then once per interval; fatal ones always.</summary>
    private static void ErrorHandler(ILogger logger, OutageLog errors, string clientName, Error error)
    {
        if (error.IsFatal)
        {
            KafkaLog.FatalClientError(logger, clientName, error.Code, error.Reason);
        }
        else if (errors.ShouldLog(TimeProvider.System.GetUtcNow(), out _, out var suppressed))
        {
            KafkaLog.ClientError(logger, clientName, error.Code, error.Reason, suppressed);
        }
    }

    private static void Apply(ClientConfig config, Dictionary<string, string> settings)
    {
        foreach (var (key, value) in settings)
        {
            config.Set(key, value);
        }
    }

    private static void OnStatistics(KafkaMetrics metrics, ILogger logger, string clientName, string json)
    {
        try
        {
            metrics.Update(json);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            KafkaLog.BadStatistics(logger, clientName, ex);
        }
    }
}
