using Confluent.Kafka;
using LogPipeline.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace LogPipeline.Kafka;

/// <summary>
/// The "kafka-produce" resilience pipeline (Polly.Core). librdkafka already retries sends inside
/// message.timeout.ms; this retries, with exponential backoff and jitter, a produce that failed
/// anyway for a reason that may pass (brokers down, timeouts, leader changes, full queue). Errors
/// that will not pass (message too large, authorization, a fatal producer state) fail at once.
/// </summary>
public static partial class KafkaResilience
{
    public const string ProducePipelineName = "kafka-produce";

    public static ResiliencePipeline BuildProduce(KafkaProduceResilienceOptions options, ILogger logger, string bootstrapServers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var outage = new OutageLog(options.OutageLogInterval);
        return new ResiliencePipelineBuilder { Name = ProducePipelineName }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args =>
                {
                    // Every outcome passes here, successes too: the first success ends a logged outage.
                    if (args.Outcome.Exception is null && outage.End(TimeProvider.System.GetUtcNow()) is { } lasted)
                    {
                        LogRecovered(logger, bootstrapServers, lasted.TotalSeconds);
                    }

                    return ValueTask.FromResult(IsTransient(args.Outcome.Exception));
                },
                MaxRetryAttempts = options.MaxRetryAttempts <= 0 ? int.MaxValue : options.MaxRetryAttempts,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    // Every record of a batch retries on its own; together they log once, then once per interval.
                    if (outage.ShouldLog(TimeProvider.System.GetUtcNow(), out var since, out var suppressed))
                    {
                        LogRetry(logger, bootstrapServers, args.AttemptNumber + 1, since.TotalSeconds, args.RetryDelay.TotalMilliseconds, suppressed, args.Outcome.Exception?.Message);
                    }

                    return default;
                },
            })
            .Build();
    }

    public static bool IsTransient(Exception? exception) => exception is KafkaException { Error: var error } && IsTransient(error);

    /// <summary>An error a later attempt may not meet: Kafka unreachable or busy, never a fatal state or a bad record.</summary>
    public static bool IsTransient(Error error) => error is { IsFatal: false } && error.Code is
        ErrorCode.Local_MsgTimedOut or ErrorCode.Local_QueueFull or ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown
        or ErrorCode.Local_TimedOut or ErrorCode.RequestTimedOut or ErrorCode.NetworkException or ErrorCode.LeaderNotAvailable
        or ErrorCode.NotLeaderForPartition or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend
        or ErrorCode.BrokerNotAvailable or ErrorCode.UnknownTopicOrPart;

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Kafka produce to {BootstrapServers} failed (retry {Attempt}, failing for {OutageSeconds:0} s, {Suppressed} failures not logged since the last line), next try in {DelayMs:0} ms; waiting until Kafka answers: {Reason}")]
    private static partial void LogRetry(ILogger logger, string bootstrapServers, int attempt, double outageSeconds, double delayMs, long suppressed, string? reason);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Kafka at {BootstrapServers} takes records again, after {OutageSeconds:0} s")]
    private static partial void LogRecovered(ILogger logger, string bootstrapServers, double outageSeconds);
}
