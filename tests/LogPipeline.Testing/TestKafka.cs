using LogPipeline.Kafka.Embedded;

namespace LogPipeline.Testing;

/// <summary>The embedded Kafka cluster with the pipeline's two topics, for a test.</summary>
public static class TestKafka
{
    /// <summary>
    /// Many partitions of <c>logs.raw</c> by default: the embedded cluster keeps at most 5 MiB per
    /// partition and drops older records, and the processor tests' streams are larger than one holds.
    /// </summary>
    public const int RawPartitions = 32;

    /// <summary>Starts a cluster with <c>logs.raw</c> and <c>logs.deadletter</c> of these many partitions.</summary>
    public static EmbeddedKafka Start(int rawPartitions = RawPartitions, int deadLetterPartitions = 2)
    {
        var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic("logs.raw", rawPartitions);
        kafka.CreateTopic("logs.deadletter", deadLetterPartitions);
        return kafka;
    }
}
