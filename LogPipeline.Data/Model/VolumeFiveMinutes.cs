namespace LogPipeline.Data;

/// <summary>
/// Events and raw bytes per five minutes, service and level (<c>volume_5m</c>): the sum of the five
/// <see cref="VolumeMinute"/> rows, written with them by the processor.
/// </summary>
public sealed class VolumeFiveMinutes : VolumeBucket;
