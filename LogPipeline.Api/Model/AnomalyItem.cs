namespace LogPipeline.Api.Model;

/// <summary>A detected anomaly; <see cref="Open"/> while it has not ended. Observed and expected are null if not finite.</summary>
public sealed record AnomalyItem(
    long Id,
    string Service,
    string Kind,
    DateTime StartedAt,
    DateTime? EndedAt,
    double? Observed,
    double? Expected,
    bool Open);
