namespace LogPipeline.Kafka;

/// <summary>Topic names.</summary>
public sealed class KafkaTopics
{
    public string Raw { get; set; } = "logs.raw";

    public string DeadLetter { get; set; } = "logs.deadletter";
}
