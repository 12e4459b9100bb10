namespace LogPipeline.Processor.Storage;

/// <summary>Retry and circuit breaker around store operations, section <c>Processor:Resilience:Store</c>.</summary>
public sealed class StoreResilienceOptions
{
    public const string SectionName = "Processor:Resilience:Store";

    /// <summary>
    /// Retries after the first attempt; then the error reaches the caller. 0 (the default) or less:
    /// retry until the store answers, so an outage of any length is waited out.
    /// </summary>
    public int MaxRetryAttempts { get; set; }

    /// <summary>While an outage lasts, how often it is logged again after its first failure.</summary>
    public TimeSpan OutageLogInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>First retry delay; doubles per attempt, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Share of failed calls within <see cref="SamplingDuration"/> that opens the breaker.</summary>
    public double FailureRatio { get; set; } = 0.5;

    public int MinimumThroughput { get; set; } = 4;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open breaker fails calls at once before it lets one through.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}
