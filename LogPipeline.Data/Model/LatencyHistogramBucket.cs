namespace LogPipeline.Data;

/// <summary>
/// The HTTP duration histogram of a bucket and service, the sum of the bucket's
/// <see cref="LatencyHistogramMinute"/> rows, its bins packed in one text
/// (<see cref="LatencyHistogram.Pack"/>): a week of a service is 168 hour rows or 2,016 five-minute rows
/// instead of a bin row per minute and bin.
/// </summary>
public abstract class LatencyHistogramBucket : IServiceBucket
{
    public DateTime BucketStartUtc { get; set; }

    public required string Service { get; set; }

    /// <summary>The sum of the bins' counts.</summary>
    public long Count { get; set; }

    /// <summary><c>bin:count,bin:count</c>, see <see cref="LatencyHistogram.Pack"/>.</summary>
    public required string Bins { get; set; }
}
