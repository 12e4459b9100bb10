using LogPipeline.Ingest.Otlp;

namespace LogPipeline.Ingest;

/// <summary>What every record of one <see cref="ResourceLogs"/> shares.</summary>
public sealed record ResourceFields(string Service, string Host, IReadOnlyList<KeyValuePair<string, string>> Attributes);
