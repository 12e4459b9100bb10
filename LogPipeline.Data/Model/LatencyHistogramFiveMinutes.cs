namespace LogPipeline.Data;

/// <summary>The five minutes (<c>latency_histogram_5m</c>).</summary>
public sealed class LatencyHistogramFiveMinutes : LatencyHistogramBucket;
