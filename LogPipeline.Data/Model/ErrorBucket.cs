namespace LogPipeline.Data;

/// <summary>
/// Raw events with a fingerprint per time bucket, service and fingerprint, late events included: what
/// the bucket's raw rows give, so top errors over days need not read them.
/// </summary>
public abstract class ErrorBucket
{
    public DateTime BucketStartUtc { get; set; }

    public required string Service { get; set; }

    public long Fingerprint { get; set; }

    public long Count { get; set; }

    public DateTime FirstSeenUtc { get; set; }

    public DateTime LastSeenUtc { get; set; }
}
