using System.Diagnostics.Metrics;
using LogPipeline.Formats;

namespace LogPipeline.Processor.Pipeline;

/// <summary>The processor's pipeline metrics, on the meter <see cref="MeterName"/>.</summary>
public sealed class ProcessorMetrics
{
    public const string MeterName = "LogPipeline.Processor";

    private readonly Counter<long> _consumed;
    private readonly Counter<long> _parsed;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _stored;
    private readonly Counter<long> _late;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _writeDuration;
    private readonly Histogram<double> _storedLatency;
    private long _openAnomalies;

    public ProcessorMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _consumed = meter.CreateCounter<long>("logpipeline.records.consumed", "{record}", "Records read from Kafka.");
        _parsed = meter.CreateCounter<long>("logpipeline.records.parsed", "{record}", "Records parsed and valid, by format.");
        _deadLettered = meter.CreateCounter<long>("logpipeline.records.dead_lettered", "{record}", "Records sent to the dead-letter topic, by reason.");
        _stored = meter.CreateCounter<long>("logpipeline.events.stored", "{event}", "Events committed to the store.");
        _late = meter.CreateCounter<long>("logpipeline.events.late", "{event}", "Events stored raw but too late for their window's aggregates.");
        _batchSize = meter.CreateHistogram<int>("logpipeline.batch.size", "{event}", "Events per store transaction.");
        _writeDuration = meter.CreateHistogram<double>("logpipeline.store.write.duration", "s", "Time to write one batch, retries included.");
        _storedLatency = meter.CreateHistogram<double>("logpipeline.event.stored.latency", "s", "From the record's Kafka timestamp to its commit in the store.");
        meter.CreateObservableGauge("logpipeline.anomalies.open", () => Interlocked.Read(ref _openAnomalies), "{anomaly}", "Anomalies not yet ended.");
    }

    // Tag values per format made once: this runs for every record.
    private static readonly string[] FormatNames = Enum.GetValues<LogFormat>().Select(f => f.ToString()).ToArray();

    public void Consumed(int count = 1) => _consumed.Add(count);

    public void Parsed(LogFormat format) => _parsed.Add(1, new KeyValuePair<string, object?>("logpipeline.format", FormatNames[(int)format]));

    public void DeadLettered(string reason) => _deadLettered.Add(1, new KeyValuePair<string, object?>("logpipeline.reason", reason));

    public void BatchWritten(PendingBatch batch, TimeSpan duration, DateTimeOffset committedAt)
    {
        var events = batch.Store.Events.Count;
        _stored.Add(events);
        _late.Add(batch.LateEvents);
        _batchSize.Record(events);
        _writeDuration.Record(duration.TotalSeconds);
        foreach (var t in batch.EventTimes)
        {
            _storedLatency.Record(Math.Max(0, (committedAt - t).TotalSeconds));
        }
    }

    public void SetOpenAnomalies(long count) => Interlocked.Exchange(ref _openAnomalies, count);
}
