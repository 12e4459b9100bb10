using System.ComponentModel;

namespace LogPipeline.Api.Apis;

/// <summary>Query of <c>GET /api/anomalies</c>.</summary>
public sealed record AnomaliesQuery(
    [property: Description("Start of the range, ISO-8601 (default: to minus one hour)")] string? From,
    [property: Description("End of the range, ISO-8601 (default: now)")] string? To,
    [property: Description("Only this service")] string? Service,
    [property: Description("At most this many, 1 to 1000 (default 100)")] string? Limit);
