namespace LogPipeline.Data;

/// <summary>
/// A rollup row of one time bucket and service: the two columns every stats query filters the
/// minute and hour rollups by, so one query serves them all.
/// </summary>
public interface IServiceBucket
{
    DateTime BucketStartUtc { get; }

    string Service { get; }
}
