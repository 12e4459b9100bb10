using System.ComponentModel;

namespace LogPipeline.Api.Apis;

/// <summary>The filters of <c>GET /api/logs</c> and <c>GET /api/logs/count</c>.</summary>
public sealed record LogFilterQuery(
    [property: Description("Start of the range, ISO-8601, inclusive (default: to minus one hour)")] string? From,
    [property: Description("End of the range, ISO-8601, exclusive (default: now)")] string? To,
    [property: Description("Only this service")] string? Service,
    [property: Description("Minimum level: trace, debug, info, warn, error, fatal")] string? Level,
    [property: Description("Case-insensitive text the message contains")] string? Q,
    [property: Description("Only this W3C trace id (32 hex digits, any case)")] string? TraceId,
    [property: Description("Only this host")] string? Host,
    [property: Description("Only events of this message template: its fingerprint, 16 hex digits, as GET /api/errors/top reports it")] string? Fingerprint);
