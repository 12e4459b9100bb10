using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace LogPipeline.Kafka;

/// <summary>The <c>Kafka:Resilience:Produce</c> section: retries of a produce that librdkafka gave up on.</summary>
public sealed class KafkaProduceResilienceOptions
{
    public const string SectionName = "Kafka:Resilience:Produce";

    public int MaxRetryAttempts { get; set; } = 5;

    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// The "kafka-produce" resilience pipeline (Polly.Core). librdkafka already retries sends inside
/// message.timeout.ms; this retries, with exponential backoff and jitter, a produce that failed
/// anyway for a reason that may pass (brokers down, timeouts, leader changes, full queue). Errors
/// that will not pass (message too large, authorization, a fatal producer state) fail at once.
/// </summary>
public static partial class KafkaResilience
{
    public const string ProducePipelineName = "kafka-produce";

    public static ResiliencePipeline BuildProduce(KafkaProduceResilienceOptions options, ILogger logger) =>
        new ResiliencePipelineBuilder { Name = ProducePipelineName }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome.Exception)),
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    LogRetry(logger, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds, args.Outcome.Exception?.Message);
                    return default;
                },
            })
            .Build();

    public static bool IsTransient(Exception? exception) => exception is KafkaException { Error: { IsFatal: false } error } && error.Code is
        ErrorCode.Local_MsgTimedOut or ErrorCode.Local_QueueFull or ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown
        or ErrorCode.Local_TimedOut or ErrorCode.RequestTimedOut or ErrorCode.NetworkException or ErrorCode.LeaderNotAvailable
        or ErrorCode.NotLeaderForPartition or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend
        or ErrorCode.BrokerNotAvailable or ErrorCode.UnknownTopicOrPart;

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Kafka produce failed; retry {Attempt} in {DelayMs:F0} ms: {Reason}")]
    private static partial void LogRetry(ILogger logger, int attempt, double delayMs, string? reason);
}
