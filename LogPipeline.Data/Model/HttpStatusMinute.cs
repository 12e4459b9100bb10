namespace LogPipeline.Data;

/// <summary>HTTP responses per minute, service and status class 1..5 (<c>http_status_minute</c>).</summary>
public sealed class HttpStatusMinute
{
    public DateTime BucketStartUtc { get; set; }

    public required string Service { get; set; }

    /// <summary>The hundreds digit of the status: 1 to 5.</summary>
    public short StatusClass { get; set; }

    public long Count { get; set; }
}
