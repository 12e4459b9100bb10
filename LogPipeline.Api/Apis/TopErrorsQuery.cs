using System.ComponentModel;

namespace LogPipeline.Api.Apis;

/// <summary>Query of <c>GET /api/errors/top</c>.</summary>
public sealed record TopErrorsQuery(
    [property: Description("Start of the range, ISO-8601 (default: to minus one hour)")] string? From,
    [property: Description("End of the range, ISO-8601 (default: now)")] string? To,
    [property: Description("Only this service")] string? Service,
    [property: Description("How many templates, 1 to 1000 (default 100)")] string? Limit);
