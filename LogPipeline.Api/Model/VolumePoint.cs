namespace LogPipeline.Api.Model;

/// <summary>Events and raw bytes in the bucket starting at <see cref="T"/> (UTC).</summary>
public sealed record VolumePoint(DateTime T, long Count, long Bytes);
