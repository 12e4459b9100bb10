using System.Text;
using LogPipeline.Kafka;
using LogPipeline.Producer.Generation;
using LogPipeline.Producer.Publishing;
using Microsoft.Extensions.Options;

namespace LogPipeline.Producer;

/// <summary>
/// Sends synthetic logs, or replays files, to the raw topic at the configured rate, then flushes.
/// With <see cref="ProducerOptions.ExitWhenDone"/> the process stops once a finite source is done.
/// </summary>
public sealed partial class ProducerWorker(
    IOptions<ProducerOptions> options,
    LogPublisher publisher,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<ProducerWorker> logger) : BackgroundService
{
    private const int MaxBatch = 1024;
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FollowPollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Completes when the source is exhausted and everything was flushed.</summary>
    public Task Completion => _completion.Task;

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        KafkaNative.EnsureLoaded();
        try
        {
            // librdkafka calls block briefly; keep them off the host's start-up path.
            await Task.Yield();
            var pacer = new RatePacer(o, time);
            if (string.IsNullOrEmpty(o.ReplayPath))
            {
                LogStartingSynthetic(logger, o.EventsPerSecond, o.Generator.Seed);
                await SendSyntheticAsync(o, pacer, stoppingToken);
            }
            else
            {
                LogStartingReplay(logger, o.ReplayPath, o.Follow);
                await ReplayAsync(o, pacer, stoppingToken);
            }

            LogSourceDone(logger, publisher.Sent);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: fall through to the flush.
        }
        finally
        {
            // Graceful shutdown: whatever was queued is delivered before the process ends.
            try
            {
                var left = publisher.Flush(FlushTimeout);
                LogFlushed(logger, publisher.Sent, publisher.Delivered, publisher.Failed, left);
                if (left > 0 || publisher.Failed > 0)
                {
                    // Events were lost: say so in the exit code too.
                    Environment.ExitCode = 1;
                }
            }
            finally
            {
                // Whoever waits for the end must not wait forever on a flush that threw.
                _completion.TrySetResult();
            }
        }

        if (o.ExitWhenDone && !stoppingToken.IsCancellationRequested)
        {
            // A short run can be done before Kestrel has bound its port; stopping then cancels the
            // host's start and the process fails with "a task was canceled". Stop once started.
            await WhenStartedAsync(lifetime.ApplicationStarted, stoppingToken);
            lifetime.StopApplication();
        }
    }

    private static async Task WhenStartedAsync(CancellationToken started, CancellationToken stoppingToken)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = started.Register(() => signal.TrySetResult());
        await signal.Task.WaitAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task SendSyntheticAsync(ProducerOptions o, RatePacer pacer, CancellationToken cancellationToken)
    {
        var generator = new SyntheticLogGenerator(o.Generator);
        while (o.MaxEvents == 0 || publisher.Sent < o.MaxEvents)
        {
            var n = await pacer.AcquireAsync(Remaining(o, MaxBatch), cancellationToken);
            for (var i = 0; i < n; i++)
            {
                var log = generator.Next(time.GetUtcNow());
                var e = log.Event;
                await publisher.PublishAsync(e.Service, e.Host, Encoding.UTF8.GetBytes(log.Line), TraceContext.FromIds(e.TraceId, e.SpanId), cancellationToken);
            }
        }
    }

    private async Task ReplayAsync(ProducerOptions o, RatePacer pacer, CancellationToken cancellationToken)
    {
        var host = o.ReplayHost ?? Environment.MachineName;
        foreach (var file in LineReader.FilesOf(o.ReplayPath!))
        {
            var service = o.ReplayService ?? Path.GetFileNameWithoutExtension(file);
            var credit = 0;
            await foreach (var line in LineReader.ReadLinesAsync(file, o.Follow, FollowPollInterval, cancellationToken))
            {
                if (credit == 0)
                {
                    credit = await pacer.AcquireAsync(Remaining(o, MaxBatch), cancellationToken);
                }

                credit--;
                await publisher.PublishAsync(service, host, line, default, cancellationToken);
                if (o.MaxEvents > 0 && publisher.Sent >= o.MaxEvents)
                {
                    return;
                }
            }
        }
    }

    private int Remaining(ProducerOptions o, int max) =>
        o.MaxEvents == 0 ? max : (int)Math.Clamp(o.MaxEvents - publisher.Sent, 1, max);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Producing synthetic logs at {EventsPerSecond} events/s (0 = unlimited), seed {Seed}")]
    private static partial void LogStartingSynthetic(ILogger logger, double eventsPerSecond, int seed);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Replaying {ReplayPath} (follow: {Follow})")]
    private static partial void LogStartingReplay(ILogger logger, string replayPath, bool follow);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "Source finished after {Sent} events")]
    private static partial void LogSourceDone(ILogger logger, long sent);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Information, Message = "Flushed: sent {Sent}, delivered {Delivered}, failed {Failed}, undelivered {Undelivered}")]
    private static partial void LogFlushed(ILogger logger, long sent, long delivered, long failed, int undelivered);
}
