namespace LogPipeline.Ingest;

/// <summary>One OTLP log record as it goes onto <c>logs.raw</c>: the service as key, the wire contract's JSON line, the record's trace context.</summary>
public readonly record struct MappedRecord(string Key, byte[] Value, string? TraceParent);
