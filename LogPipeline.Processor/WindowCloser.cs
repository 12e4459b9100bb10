using LogPipeline.Data;
using LogPipeline.Processor.Pipeline;
using LogPipeline.Processor.Storage;
using Microsoft.Extensions.Options;

namespace LogPipeline.Processor;

/// <summary>
/// Acts on windows that have closed (their end plus the allowed lateness is behind the watermark):
/// materialises their latency percentiles from the stored histograms and judges each service's
/// error rate against its rolling baseline, opening and ending anomalies. Everything it reads is
/// in the store, so it is idempotent and a restart loses nothing.
/// </summary>
public sealed partial class WindowCloser(
    StoredWatermark stored, LatencyMaterializer latency, AnomalyStore anomalies, IOptions<ProcessorOptions> options, ProcessorMetrics metrics, ILogger<WindowCloser> logger)
    : BackgroundService
{
    /// <summary>Minutes re-materialised behind the horizon, for partitions whose watermark lags the newest one.</summary>
    private const int RematerialiseMinutes = 10;

    public const string ErrorRateKind = "error-rate";

    private DateTime? _evaluatedUntil;
    private DateTime? _materializedUntil;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.WindowCloseInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await CloseWindowsAsync(stoppingToken);
                }
                catch (Exception ex) when (StoreErrors.IsTransient(ex))
                {
                    LogCloseFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass; public for tests.</summary>
    public async Task CloseWindowsAsync(CancellationToken cancellationToken)
    {
        if (stored.Value is not { } watermark)
        {
            return;
        }

        var o = options.Value;
        var horizon = Floor(watermark - o.AllowedLateness); // minutes before this are closed
        // Everything that closed since the last pass (a backlog can close hours at once), plus a margin
        // for partitions whose watermark lags; after a start, the last day.
        var materializeFrom = (_materializedUntil ?? horizon.AddDays(-1)).AddMinutes(-RematerialiseMinutes);
        await latency.MaterializeLatencyAsync(materializeFrom, horizon, cancellationToken);
        _materializedUntil = horizon;

        // After a start, judge the recent past again: anomalies already recorded for it are recognised below.
        var from = _evaluatedUntil ?? horizon.AddMinutes(-RematerialiseMinutes);

        var counts = await anomalies.ReadErrorCountsAsync(from.AddMinutes(-o.Anomaly.BaselineMinutes), horizon, cancellationToken);
        var recent = (await anomalies.ReadAnomaliesAsync(from, cancellationToken)).Where(static a => a.Kind == ErrorRateKind).ToList();
        var open = recent.Where(static a => a.EndedAtUtc is null).ToDictionary(static a => a.Service);
        var byService = counts.GroupBy(static c => c.Service);
        for (var minute = from; minute < horizon; minute = minute.AddMinutes(1))
        {
            foreach (var service in byService)
            {
                var judged = recent.Any(a => a.Service == service.Key && a.EndedAtUtc is { } end && a.StartedAtUtc <= minute && minute <= end);
                if (!judged)
                {
                    await JudgeAsync(service.Key, minute, service, open, cancellationToken);
                }
            }
        }

        _evaluatedUntil = horizon;
        metrics.SetOpenAnomalies(open.Count);
    }

    private async Task JudgeAsync(
        string service,
        DateTime minute,
        IEnumerable<(DateTime Minute, string Service, long Total, long Errors)> history,
        Dictionary<string, LogPipeline.Data.Anomaly> open,
        CancellationToken cancellationToken)
    {
        var o = options.Value.Anomaly;
        var current = history.FirstOrDefault(c => c.Minute == minute);
        if (current.Total < o.MinEvents)
        {
            return; // too little traffic to judge either way
        }

        var baselineFrom = minute.AddMinutes(-o.BaselineMinutes);
        var baseline = history.Where(c => c.Minute >= baselineFrom && c.Minute < minute).ToList();
        var baselineTotal = baseline.Sum(static c => c.Total);
        if (baselineTotal < o.MinEvents)
        {
            return; // no baseline yet
        }

        var expected = (double)baseline.Sum(static c => c.Errors) / baselineTotal;
        var observed = (double)current.Errors / current.Total;
        var anomalous = observed > expected * o.Factor && observed > expected + o.MinIncrease;
        open.TryGetValue(service, out var anomaly);
        if (anomalous && anomaly is null)
        {
            var id = await anomalies.OpenAnomalyAsync(service, ErrorRateKind, minute, observed, expected, cancellationToken);
            open[service] = new LogPipeline.Data.Anomaly { Id = id, Service = service, Kind = ErrorRateKind, StartedAtUtc = minute, Observed = observed, Expected = expected };
            LogOpened(logger, service, minute, observed, expected);
        }
        else if (anomalous && anomaly is not null && observed > anomaly.Observed)
        {
            await anomalies.UpdateAnomalyAsync(anomaly.Id, observed, anomaly.Expected, null, cancellationToken);
            anomaly.Observed = observed;
        }
        else if (!anomalous && anomaly is not null && minute > anomaly.StartedAtUtc)
        {
            await anomalies.UpdateAnomalyAsync(anomaly.Id, anomaly.Observed, anomaly.Expected, minute, cancellationToken);
            open.Remove(service);
            LogEnded(logger, service, minute);
        }
    }

    private static DateTime Floor(DateTime utc) => new(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Anomaly: {Service} error rate {Observed:P1} in the minute from {Minute:O}, baseline {Expected:P1}")]
    private static partial void LogOpened(ILogger logger, string service, DateTime minute, double observed, double expected);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Anomaly over: {Service} back to baseline at {Minute:O}")]
    private static partial void LogEnded(ILogger logger, string service, DateTime minute);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Closing windows failed; trying again at the next interval")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception);
}
