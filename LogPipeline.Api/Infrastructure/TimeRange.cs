namespace LogPipeline.Api.Infrastructure;

/// <summary>A half-open UTC interval [<see cref="FromUtc"/>, <see cref="ToUtc"/>).</summary>
internal readonly record struct TimeRange(DateTime FromUtc, DateTime ToUtc);
