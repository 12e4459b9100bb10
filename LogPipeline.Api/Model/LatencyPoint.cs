namespace LogPipeline.Api.Model;

/// <summary>HTTP requests and duration percentiles (ms) in the bucket; the percentiles are null when there were none.</summary>
public sealed record LatencyPoint(DateTime T, long Count, double? P50, double? P95, double? P99);
