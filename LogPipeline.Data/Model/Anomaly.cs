namespace LogPipeline.Data;

/// <summary>A detected anomaly (<c>anomalies</c>); open while <see cref="EndedAtUtc"/> is null.</summary>
public sealed class Anomaly
{
    public long Id { get; set; }

    public required string Service { get; set; }

    /// <summary>What was abnormal, for example <c>error-rate</c>.</summary>
    public required string Kind { get; set; }

    public DateTime StartedAtUtc { get; set; }

    public DateTime? EndedAtUtc { get; set; }

    public double Observed { get; set; }

    public double Expected { get; set; }

    public DateTime UpdatedAtUtc { get; set; }
}
