using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace LogPipeline.Kafka;

/// <summary>
/// Makes the consumers that <see cref="KafkaExtensions.AddKafkaConsumer"/> configured: its user adds
/// its partition handlers to <see cref="CreateBuilder"/>, builds, and owns (closes, disposes) the consumer.
/// </summary>
public sealed class KafkaConsumerFactory
{
    private readonly ConsumerConfig _config;
    private readonly TimeSpan _outageLogInterval;
    private readonly KafkaMetrics _metrics;
    private readonly ILogger _logger;

    internal KafkaConsumerFactory(ConsumerConfig config, TimeSpan outageLogInterval, KafkaMetrics metrics, ILogger logger)
    {
        _config = config;
        _outageLogInterval = outageLogInterval;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The consumer group: <c>Kafka:Consumer:group.id</c>, else the registration's default.</summary>
    public string GroupId => _config.GroupId;

    public ConsumerBuilder<string?, byte[]> CreateBuilder() => KafkaExtensions.ConsumerBuilder(_config, _outageLogInterval, _metrics, _logger);
}
