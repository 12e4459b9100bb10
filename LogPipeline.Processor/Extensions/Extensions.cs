using LogPipeline.Data;
using LogPipeline.Kafka;
using LogPipeline.Processor.Pipeline;
using LogPipeline.Processor.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LogPipeline.Processor;

public static class Extensions
{
    /// <summary>
    /// The processor: the store (and its schema, which the processor owns), the Kafka consumer that
    /// resumes from the store's offsets, the dead-letter producer, the dataflow pipeline, window
    /// closing and retention.
    /// </summary>
    public static IHostApplicationBuilder AddProcessor(this IHostApplicationBuilder builder)
    {
        builder.AddLogStore();
        builder.AddLogStoreMigrations(); // a hosted service: registered first, so the schema is current before the rest starts
        builder.AddProcessorStore();
        builder.AddKafkaProducer();
        builder.AddKafkaConsumer(ProcessorOptions.DefaultGroupId,
            static c =>
            {
                // Offsets stored in Kafka are for lag monitoring only: the store's offsets are the truth.
                c.EnableAutoCommit = true;
                c.EnableAutoOffsetStore = false;

                // librdkafka prefetches up to 64 MiB by default, native memory outside the bounded
                // dataflow; 16 MiB is still seconds of records at full speed (benchmark: same events/s,
                // ~100 MB less peak RSS). A Kafka:Consumer setting wins.
                c.QueuedMaxMessagesKbytes ??= 16 * 1024;
            },
            static (sp, consumer) => consumer
                .SetPartitionsAssignedHandler((_, partitions) => sp.GetRequiredService<ProcessorWorker>().OnAssigned(partitions))
                .SetPartitionsRevokedHandler((_, partitions) => sp.GetRequiredService<ProcessorWorker>().OnRevoked(partitions.Select(p => p.TopicPartition).ToList()))
                .SetPartitionsLostHandler((_, partitions) => sp.GetRequiredService<ProcessorWorker>().OnRevoked(partitions.Select(p => p.TopicPartition).ToList())));

        builder.Services.AddOptions<ProcessorOptions>().BindConfiguration(ProcessorOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ProcessorOptions>, ProcessorOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ProcessorMetrics>();
        builder.Services.AddSingleton<RecordProcessor>();
        builder.Services.AddSingleton<DeadLetterPublisher>();
        builder.Services.AddSingleton(static sp =>
        {
            var kafka = sp.GetRequiredService<IOptions<KafkaOptions>>().Value;
            var groupId = kafka.Consumer.TryGetValue("group.id", out var g) && !string.IsNullOrWhiteSpace(g) ? g : ProcessorOptions.DefaultGroupId;
            return new ProcessingPipeline(
                groupId,
                sp.GetRequiredService<IOptions<ProcessorOptions>>(),
                sp.GetRequiredService<RecordProcessor>(),
                sp.GetRequiredService<BatchWriter>(),
                sp.GetRequiredService<DeadLetterPublisher>(),
                sp.GetRequiredService<ProcessorMetrics>(),
                sp.GetRequiredService<ILogger<ProcessingPipeline>>(),
                progress => sp.GetRequiredService<ProcessorWorker>().OnCommitted(progress));
        });
        builder.Services.AddSingleton<ProcessorWorker>();
        // Each starts once the schema is current: at once when the store answered at start, else when it does.
        builder.Services.AddHostedService(static sp => new AfterStoreSchema<ProcessorWorker>(sp.GetRequiredService<StoreSchemaGate>(), sp.GetRequiredService<ProcessorWorker>()));
        builder.Services.AddHostedService(static sp => new AfterStoreSchema<WindowCloser>(sp.GetRequiredService<StoreSchemaGate>(), ActivatorUtilities.CreateInstance<WindowCloser>(sp)));
        builder.Services.AddHostedService(static sp => new AfterStoreSchema<RetentionService>(sp.GetRequiredService<StoreSchemaGate>(), ActivatorUtilities.CreateInstance<RetentionService>(sp)));
        return builder;
    }
}
