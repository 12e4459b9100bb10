using LogPipeline.Kafka;

namespace LogPipeline.Chaos;

/// <summary>The pipeline's default topic names (<see cref="KafkaTopics"/>), which the run's processes all use.</summary>
public static class Topics
{
    private static readonly KafkaTopics Defaults = new();

    public static string Raw => Defaults.Raw;

    public static string DeadLetter => Defaults.DeadLetter;
}
