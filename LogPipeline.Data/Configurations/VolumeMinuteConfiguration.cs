namespace LogPipeline.Data.Configurations;

internal sealed class VolumeMinuteConfiguration() : VolumeBucketConfiguration<VolumeMinute>("volume_minute");
