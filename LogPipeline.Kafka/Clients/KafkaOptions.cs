namespace LogPipeline.Kafka;

/// <summary>
/// The <c>Kafka</c> configuration section. Bootstrap servers come from <c>ConnectionStrings:kafka</c>,
/// the name Aspire injects; <c>Kafka:BootstrapServers</c> is read when that is absent.
/// </summary>
public sealed class KafkaOptions
{
    public const string SectionName = "Kafka";

    /// <summary>Connection (and Aspire resource) name.</summary>
    public const string ConnectionName = "kafka";

    public string BootstrapServers { get; set; } = "";

    public KafkaTopics Topics { get; set; } = new();

    /// <summary>librdkafka producer properties by their librdkafka names (linger.ms, compression.type...).</summary>
    public Dictionary<string, string> Producer { get; set; } = new(StringComparer.Ordinal);

    /// <summary>librdkafka consumer properties by their librdkafka names.</summary>
    public Dictionary<string, string> Consumer { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How often librdkafka reports the statistics that become .NET metrics; 0 turns them off.</summary>
    public int StatisticsIntervalMs { get; set; } = 5000;

    /// <summary>
    /// While Kafka does not answer, how often the clients' errors and librdkafka's warnings are logged
    /// again after the first: its clients report every failed reconnect, which a long outage turns into a flood.
    /// </summary>
    public TimeSpan OutageLogInterval { get; set; } = TimeSpan.FromMinutes(1);
}
