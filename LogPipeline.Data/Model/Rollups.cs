namespace LogPipeline.Data;

/// <summary>
/// Events and raw bytes per hour, service and level (<c>volume_hour</c>): the sum of the hour's
/// <see cref="VolumeMinute"/> rows, written with them by the processor.
/// </summary>
public sealed class VolumeHour : VolumeBucket;

/// <summary>
/// Events and raw bytes per five minutes, service and level (<c>volume_5m</c>): the sum of the five
/// <see cref="VolumeMinute"/> rows, written with them by the processor.
/// </summary>
public sealed class VolumeFiveMinutes : VolumeBucket;

/// <summary>
/// The HTTP duration histogram of a bucket and service, the sum of the bucket's
/// <see cref="LatencyHistogramMinute"/> rows, its bins packed in one text
/// (<see cref="LatencyHistogram.Pack"/>): a week of a service is 168 hour rows or 2,016 five-minute rows
/// instead of a bin row per minute and bin.
/// </summary>
public abstract class LatencyHistogramBucket : IServiceBucket
{
    public DateTime BucketStartUtc { get; set; }

    public required string Service { get; set; }

    /// <summary>The sum of the bins' counts.</summary>
    public long Count { get; set; }

    /// <summary><c>bin:count,bin:count</c>, see <see cref="LatencyHistogram.Pack"/>.</summary>
    public required string Bins { get; set; }
}

/// <summary>The hours (<c>latency_histogram_hour</c>).</summary>
public sealed class LatencyHistogramHour : LatencyHistogramBucket;

/// <summary>The five minutes (<c>latency_histogram_5m</c>).</summary>
public sealed class LatencyHistogramFiveMinutes : LatencyHistogramBucket;

/// <summary>
/// Raw events with a fingerprint per time bucket, service and fingerprint, late events included: what
/// the bucket's raw rows give, so top errors over days need not read them.
/// </summary>
public abstract class ErrorBucket
{
    public DateTime BucketStartUtc { get; set; }

    public required string Service { get; set; }

    public long Fingerprint { get; set; }

    public long Count { get; set; }

    public DateTime FirstSeenUtc { get; set; }

    public DateTime LastSeenUtc { get; set; }
}

/// <summary>The hours of a range (<c>error_hour</c>).</summary>
public sealed class ErrorHour : ErrorBucket;

/// <summary>The whole minutes at a range's edges, before its first and after its last whole hour (<c>error_minute</c>).</summary>
public sealed class ErrorMinute : ErrorBucket;
