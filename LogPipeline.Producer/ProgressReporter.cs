using LogPipeline.Producer.Publishing;
using Microsoft.Extensions.Options;

namespace LogPipeline.Producer;

/// <summary>Logs the producer's rate and totals every <see cref="ProducerOptions.ProgressInterval"/>.</summary>
public sealed partial class ProgressReporter(
    IOptions<ProducerOptions> options, LogPublisher publisher, TimeProvider time, ILogger<ProgressReporter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ProgressInterval, time);
        var lastSent = 0L;
        var last = time.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var sent = publisher.Sent;
                var now = time.GetTimestamp();
                var rate = (sent - lastSent) / time.GetElapsedTime(last, now).TotalSeconds;
                LogProgress(logger, rate, sent, publisher.Delivered, publisher.Failed);
                (lastSent, last) = (sent, now);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Producer: {Rate:F0} events/s; sent {Sent}, delivered {Delivered}, failed {Failed}")]
    private static partial void LogProgress(ILogger logger, double rate, long sent, long delivered, long failed);
}
