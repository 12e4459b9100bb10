namespace LogPipeline.Data.Configurations;

internal sealed class VolumeHourConfiguration() : VolumeBucketConfiguration<VolumeHour>("volume_hour");
