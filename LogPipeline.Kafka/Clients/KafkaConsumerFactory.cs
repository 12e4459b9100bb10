using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace LogPipeline.Kafka;

/// <summary>
/// Makes the consumers that <see cref="KafkaExtensions.AddKafkaConsumer"/> configured: its user adds
/// its partition handlers to <see cref="CreateBuilder"/>, builds, and owns (closes, disposes) the consumer.
/// </summary>
public sealed class KafkaConsumerFactory
{
    private readonly ConsumerConfig config;
    private readonly TimeSpan outageLogInterval;
    private readonly KafkaMetrics metrics;
    private readonly ILogger logger;

    internal KafkaConsumerFactory(ConsumerConfig config, TimeSpan outageLogInterval, KafkaMetrics metrics, ILogger logger)
    {
        this.config = config;
        this.outageLogInterval = outageLogInterval;
        this.metrics = metrics;
        this.logger = logger;
    }

    /// <summary>The consumer group: <c>Kafka:Consumer:group.id</c>, else the registration's default.</summary>
    public string GroupId => config.GroupId;

    public ConsumerBuilder<string?, byte[]> CreateBuilder() => KafkaExtensions.ConsumerBuilder(config, outageLogInterval, metrics, logger);
}
