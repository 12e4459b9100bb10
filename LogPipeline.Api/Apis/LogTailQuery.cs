using System.ComponentModel;

namespace LogPipeline.Api.Apis;

/// <summary>Query of <c>GET /api/logs/tail</c>.</summary>
public sealed record LogTailQuery(
    [property: Description("Only this service")] string? Service,
    [property: Description("Minimum level: trace, debug, info, warn, error, fatal")] string? Level,
    [property: Description("Case-insensitive text the message contains")] string? Q,
    [property: Description("Only this W3C trace id (32 hex digits, any case)")] string? TraceId);
