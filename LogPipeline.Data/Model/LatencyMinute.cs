namespace LogPipeline.Data;

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
