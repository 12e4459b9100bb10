namespace LogPipeline.Api.Infrastructure;

/// <summary>Settings of the API, section <c>Api</c>. Defaults live here, not in an appsettings.json, so the API can share a process.</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>When set, every <c>/api</c> and <c>/openapi</c> request must carry it (header <c>X-Api-Key</c> or query <c>apiKey</c>).</summary>
    public string? Key { get; set; }

    /// <summary>How often the live tail asks the store for new rows.</summary>
    public TimeSpan TailPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The longest the live tail stays silent: a comment line goes out when no event did for this long,
    /// so proxies and clients that drop idle connections keep a tail whose filter matches nothing.
    /// </summary>
    public TimeSpan TailKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The most rows <c>GET /api/logs/count</c> counts when the aggregates cannot answer (a text,
    /// trace, host or fingerprint filter); beyond it the answer says <c>capped</c>.
    /// </summary>
    public int CountCap { get; set; } = 10_000;

    /// <summary>The most rows the live tail reads per poll.</summary>
    public int TailBatchSize { get; set; } = 500;
}
