namespace LogPipeline.Kafka.Embedded;

/// <summary>The <c>Kafka:Embedded</c> section: run an in-process cluster instead of connecting to one.</summary>
public sealed class EmbeddedKafkaOptions
{
    public const string SectionName = "Kafka:Embedded";

    public bool Enabled { get; set; }

    /// <summary>Partitions of the raw topic: more partitions hold more, as each keeps at most 5 MiB.</summary>
    public int RawPartitions { get; set; } = 32;

    public int DeadLetterPartitions { get; set; } = 4;

    /// <summary>
    /// A loopback port for the broker (an orchestrator's endpoint); 0 keeps the mock cluster's own random port.
    /// </summary>
    public int Port { get; set; }
}
