using System.ComponentModel;

namespace LogPipeline.Api.Apis;

/// <summary>Query of <c>GET /api/deadletters</c>.</summary>
public sealed record DeadLettersQuery(
    [property: Description("Start of the range of rejection times, ISO-8601 (default: to minus one hour)")] string? From,
    [property: Description("End of the range, ISO-8601 (default: now)")] string? To,
    [property: Description("Only this reason code, for example invalid-utf8, too-long, unknown-format")] string? Reason,
    [property: Description("Only dead letters older than this id: the id of the last one of the previous page")] string? Before,
    [property: Description("At most this many, 1 to 1000 (default 100)")] string? Limit);
