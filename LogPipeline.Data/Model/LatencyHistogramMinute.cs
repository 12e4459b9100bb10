namespace LogPipeline.Data;

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
