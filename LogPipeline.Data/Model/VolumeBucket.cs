using LogPipeline.Formats;

namespace LogPipeline.Data;

/// <summary>Events and raw bytes per time bucket, service and level.</summary>
public abstract class VolumeBucket : IServiceBucket
{
    public DateTime BucketStartUtc { get; set; }

    public required string Service { get; set; }

    public LogLevel Level { get; set; }

    public long Count { get; set; }

    /// <summary>Total size of the raw lines, in bytes.</summary>
    public long Bytes { get; set; }
}
