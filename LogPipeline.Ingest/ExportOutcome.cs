using LogPipeline.Ingest.Otlp;

namespace LogPipeline.Ingest;

/// <summary>The answer to one export, before it is written as HTTP or gRPC.</summary>
/// <param name="Response">The OTLP response: empty on full success, with partial_success when records were rejected.</param>
public sealed record ExportOutcome(PublishResult Result, ExportLogsServiceResponse Response, TimeSpan RetryAfter);
