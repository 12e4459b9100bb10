using LogPipeline.Formats;

namespace LogPipeline.Data;

/// <summary>Events and raw bytes per time bucket, service and level.</summary>
public abstract class VolumeBucket : IServiceBucket
{
    public DateTime BucketStartUtc { get; set; }

    public required string Service { get; set; }

    public LogLevel Level { get; set; }

    public long Count { get; set; }

    /// <summary>Total size of the raw lines, in bytes.</summary>
    public long Bytes { get; set; }
}

/// <summary>Events and raw bytes per minute, service and level (<c>volume_minute</c>).</summary>
public sealed class VolumeMinute : VolumeBucket;

/// <summary>HTTP responses per minute, service and status class 1..5 (<c>http_status_minute</c>).</summary>
public sealed class HttpStatusMinute
{
    public DateTime BucketStartUtc { get; set; }

    public required string Service { get; set; }

    /// <summary>The hundreds digit of the status: 1 to 5.</summary>
    public short StatusClass { get; set; }

    public long Count { get; set; }
}

/// <summary>
/// HTTP duration histogram per minute and service (<c>latency_histogram_minute</c>), binned by
/// <see cref="LatencyHistogram"/>. Windows merge exactly by adding counts, so the processor can
/// write deltas and a crash never needs the raw durations again.
/// </summary>
public sealed class LatencyHistogramMinute : IServiceBucket
{
    public DateTime BucketStartUtc { get; set; }

    public required string Service { get; set; }

    public short Bin { get; set; }

    public long Count { get; set; }
}

/// <summary>Latency percentiles per minute and service (<c>latency_minute</c>), materialised from the histogram.</summary>
public sealed class LatencyMinute
{
    public DateTime BucketStartUtc { get; set; }

    public required string Service { get; set; }

    public long Count { get; set; }

    public double P50Ms { get; set; }

    public double P95Ms { get; set; }

    public double P99Ms { get; set; }
}

/// <summary>A message template seen at warning level or worse, per service (<c>error_fingerprints</c>).</summary>
public sealed class ErrorFingerprint
{
    public required string Service { get; set; }

    public long Fingerprint { get; set; }

    public required string Template { get; set; }

    public long Count { get; set; }

    public DateTime FirstSeenUtc { get; set; }

    public DateTime LastSeenUtc { get; set; }

    public required string SampleMessage { get; set; }

    public LogLevel Level { get; set; }
}

/// <summary>A detected anomaly (<c>anomalies</c>); open while <see cref="EndedAtUtc"/> is null.</summary>
public sealed class Anomaly
{
    public long Id { get; set; }

    public required string Service { get; set; }

    /// <summary>What was abnormal, for example <c>error-rate</c>.</summary>
    public required string Kind { get; set; }

    public DateTime StartedAtUtc { get; set; }

    public DateTime? EndedAtUtc { get; set; }

    public double Observed { get; set; }

    public double Expected { get; set; }

    public DateTime UpdatedAtUtc { get; set; }
}

/// <summary>Pipeline health per minute (<c>pipeline_minute</c>), for Grafana.</summary>
public sealed class PipelineMinute
{
    public DateTime BucketStartUtc { get; set; }

    public long EventsIn { get; set; }

    public long EventsStored { get; set; }

    public long LateEvents { get; set; }

    public long DeadLetters { get; set; }
}

/// <summary>
/// The next Kafka offset to read per consumer group and partition (<c>consumer_offsets</c>),
/// written in the same transaction as the batch it follows, so the store is exactly-once in effect.
/// </summary>
public sealed class ConsumerOffset
{
    public required string GroupId { get; set; }

    public required string Topic { get; set; }

    public int Partition { get; set; }

    public long NextOffset { get; set; }

    /// <summary>The event-time watermark of the partition when <see cref="NextOffset"/> was written; null before the first event.</summary>
    public DateTime? WatermarkUtc { get; set; }

    public DateTime UpdatedAtUtc { get; set; }
}
