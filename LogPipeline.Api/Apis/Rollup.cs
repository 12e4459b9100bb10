namespace LogPipeline.Api.Apis;

/// <summary>The stored buckets a stats answer is summed from.</summary>
internal enum Rollup
{
    Minute,
    FiveMinutes,
    Hour,
}
