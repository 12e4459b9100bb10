using LogPipeline.Data;
using LogPipeline.Processor.Storage;
using Microsoft.Extensions.Options;

namespace LogPipeline.Processor;

/// <summary>Purges raw events past <see cref="ProcessorOptions.RawRetention"/> and aggregates past <see cref="ProcessorOptions.AggregateRetention"/>.</summary>
public sealed partial class RetentionService(
    StoreSchemaGate schema, RetentionPurger purger, IOptions<ProcessorOptions> options, TimeProvider time, ILogger<RetentionService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await schema.Ready.WaitAsync(stoppingToken);
        var o = options.Value;
        using var timer = new PeriodicTimer(o.RetentionInterval, time);
        try
        {
            do
            {
                try
                {
                    var now = time.GetUtcNow().UtcDateTime;
                    var (raw, deadLetters, aggregates) = await purger.PurgeAsync(now - o.RawRetention, now - o.AggregateRetention, stoppingToken);
                    if (raw + deadLetters + aggregates > 0)
                    {
                        LogPurged(logger, raw, deadLetters, aggregates);
                    }
                }
                catch (Exception ex) when (StoreErrors.IsTransient(ex))
                {
                    LogPurgeFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "Retention: purged {Raw} raw events, {DeadLetters} dead letters and {Aggregates} aggregate rows")]
    private static partial void LogPurged(ILogger logger, int raw, int deadLetters, int aggregates);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Warning, Message = "Retention purge failed; trying again at the next interval")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
