namespace LogPipeline.Data;

/// <summary>
/// Events and raw bytes per hour, service and level (<c>volume_hour</c>): the sum of the hour's
/// <see cref="VolumeMinute"/> rows, written with them by the processor.
/// </summary>
public sealed class VolumeHour : VolumeBucket;
