namespace LogPipeline.Kafka;

/// <summary>The <c>Kafka:Resilience:Produce</c> section: retries of a produce that librdkafka gave up on.</summary>
public sealed class KafkaProduceResilienceOptions
{
    public const string SectionName = "Kafka:Resilience:Produce";

    /// <summary>
    /// Retries after the first attempt; then the error reaches the caller. 0 (the default) or less:
    /// retry until Kafka takes the record, so a broker outage of any length is waited out.
    /// </summary>
    public int MaxRetryAttempts { get; set; }

    /// <summary>First retry delay; doubles per attempt, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>While an outage lasts, how often it is logged again after its first failure.</summary>
    public TimeSpan OutageLogInterval { get; set; } = TimeSpan.FromMinutes(1);
}
