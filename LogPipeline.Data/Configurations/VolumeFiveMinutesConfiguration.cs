namespace LogPipeline.Data.Configurations;

internal sealed class VolumeFiveMinutesConfiguration() : VolumeBucketConfiguration<VolumeFiveMinutes>("volume_5m");
