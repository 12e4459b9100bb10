namespace LogPipeline.Data;

/// <summary>Events and raw bytes per minute, service and level (<c>volume_minute</c>).</summary>
public sealed class VolumeMinute : VolumeBucket;
