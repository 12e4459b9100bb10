namespace LogPipeline.Data;

/// <summary>The hours (<c>latency_histogram_hour</c>).</summary>
public sealed class LatencyHistogramHour : LatencyHistogramBucket;
