namespace LogPipeline.Data.Configurations;

internal sealed class LatencyHistogramHourConfiguration() : LatencyHistogramBucketConfiguration<LatencyHistogramHour>("latency_histogram_hour");
