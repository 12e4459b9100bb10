namespace LogPipeline.Data.Configurations;

internal sealed class LatencyHistogramFiveMinutesConfiguration() : LatencyHistogramBucketConfiguration<LatencyHistogramFiveMinutes>("latency_histogram_5m");
