namespace LogPipeline.Api.Model;

/// <summary>Events, errors (level error or fatal) and their ratio in the bucket starting at <see cref="T"/>.</summary>
public sealed record ErrorRatePoint(DateTime T, long Total, long Errors, double Rate);
