using System.ComponentModel;

namespace LogPipeline.Api.Apis;

/// <summary>Query of <c>GET /api/stats/errors</c> and <c>/api/stats/latency</c>.</summary>
public sealed record StatsQueryParameters(
    [property: Description("Start of the range, ISO-8601 (default: to minus one hour)")] string? From,
    [property: Description("End of the range, ISO-8601 (default: now)")] string? To,
    [property: Description("1m (range up to 1 day), 5m (up to 7 days, the default) or 1h (up to 31 days)")] string? Bucket,
    [property: Description("Only this service")] string? Service);
