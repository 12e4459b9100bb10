using LogPipeline.Data;
using LogPipeline.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// Builds the store's resilience pipeline (Polly.Core): exponential retry with jitter outside a
/// circuit breaker. Only failures of the database or the network count as transient; constraint
/// violations, SQL errors and argument or state errors are bugs and reach the caller at once.
/// </summary>
public static partial class StoreResilience
{
    /// <summary>The pipeline's name in Polly's telemetry and our logs.</summary>
    public const string PipelineName = "store-write";

    public static ResiliencePipeline Build(StoreResilienceOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);

        var outage = new OutageLog(options.OutageLogInterval);
        return new ResiliencePipelineBuilder { Name = PipelineName }
            .AddRetry(new RetryStrategyOptions
            {
                // An open breaker is retried too: the retry's growing delay outlasts the break.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is BrokenCircuitException || StoreErrors.IsTransient(args.Outcome.Exception)),
                MaxRetryAttempts = options.MaxRetryAttempts <= 0 ? int.MaxValue : options.MaxRetryAttempts,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    // Logged once when an outage starts, then at most once per OutageLogInterval.
                    if (outage.ShouldLog(TimeProvider.System.GetUtcNow(), out var since))
                    {
                        var e = args.Outcome.Exception;
                        LogRetry(logger, args.AttemptNumber + 1, since.TotalSeconds, args.RetryDelay.TotalMilliseconds, e?.GetType().Name, e?.Message);
                    }

                    return default;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(StoreErrors.IsTransient(args.Outcome.Exception)),
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                OnOpened = args =>
                {
                    LogBreakerOpened(logger, args.BreakDuration.TotalSeconds, args.Outcome.Exception?.Message);
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    LogBreakerHalfOpened(logger);
                    return default;
                },
                OnClosed = _ =>
                {
                    outage.End(TimeProvider.System.GetUtcNow());
                    LogBreakerClosed(logger);
                    return default;
                },
            })
            .Build();
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Store operation failed (retry {Attempt}, failing for {OutageSeconds:0} s), next try in {DelayMs:0} ms; waiting until the store answers: {ExceptionType}: {Reason}")]
    private static partial void LogRetry(ILogger logger, int attempt, double outageSeconds, double delayMs, string? exceptionType, string? reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Store circuit breaker opened for {BreakSeconds} s: {Reason}")]
    private static partial void LogBreakerOpened(ILogger logger, double breakSeconds, string? reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "Store circuit breaker half-open: trying one call")]
    private static partial void LogBreakerHalfOpened(ILogger logger);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Store circuit breaker closed: the store answers again")]
    private static partial void LogBreakerClosed(ILogger logger);
}
