namespace LogPipeline.Api.Model;

/// <summary>The points of one key (a level or a service), one per bucket of the range, oldest first.</summary>
public sealed record Series<TPoint>(string Key, IReadOnlyList<TPoint> Points);
