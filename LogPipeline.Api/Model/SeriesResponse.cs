namespace LogPipeline.Api.Model;

/// <summary>A time series answer: the bucket size and one series per key.</summary>
public sealed record SeriesResponse<TPoint>(string Bucket, IReadOnlyList<Series<TPoint>> Series);
