namespace LogPipeline.Processor.Pipeline;

/// <summary>One Kafka record as consumed, before parsing.</summary>
public sealed record KafkaRecord(
    string Topic, int Partition, long Offset, string? Key, byte[] Value, string? Host, string? TraceParent, DateTimeOffset Timestamp);
