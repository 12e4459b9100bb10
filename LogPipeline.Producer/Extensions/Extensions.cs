using LogPipeline.Kafka;
using LogPipeline.Producer.Publishing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LogPipeline.Producer;

public static class Extensions
{
    /// <summary>The producer: options (validated at start), the Kafka producer, the worker and its progress log.</summary>
    public static IHostApplicationBuilder AddProducer(this IHostApplicationBuilder builder)
    {
        builder.AddKafkaProducer();
        builder.Services.AddOptions<ProducerOptions>()
            .BindConfiguration(ProducerOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ProducerOptions>, ProducerOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<LogPublisher>();
        builder.Services.AddHostedService<ProducerWorker>();
        builder.Services.AddHostedService<ProgressReporter>();
        return builder;
    }
}
