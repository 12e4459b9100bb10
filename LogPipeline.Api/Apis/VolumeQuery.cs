using System.ComponentModel;

namespace LogPipeline.Api.Apis;

/// <summary>Query of <c>GET /api/stats/volume</c>.</summary>
public sealed record VolumeQuery(
    [property: Description("Start of the range, ISO-8601 (default: to minus one hour)")] string? From,
    [property: Description("End of the range, ISO-8601 (default: now)")] string? To,
    [property: Description("1m (range up to 1 day), 5m (up to 7 days, the default) or 1h (up to 31 days)")] string? Bucket,
    [property: Description("level (default) or service")] string? GroupBy,
    [property: Description("Only this service")] string? Service);
