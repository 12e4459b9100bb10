namespace LogPipeline.Ingest;

/// <summary>Settings of the OTLP ingest, section <c>Ingest</c>. Defaults live here so the ingest can share a process.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <summary>OTLP/gRPC (HTTP/2 cleartext); 4317 is OTLP's standard port. 0: no port of its own.</summary>
    public int GrpcPort { get; set; } = 4317;

    /// <summary>OTLP/HTTP (HTTP/1.1, <c>POST /v1/logs</c>); 4318 is OTLP's standard port. 0: no port of its own.</summary>
    public int HttpPort { get; set; } = 4318;

    /// <summary>Where the two ports listen: <c>localhost</c> (the default: nothing outside this machine can send) or <c>*</c> (every interface).</summary>
    public string BindAddress { get; set; } = "localhost";

    /// <summary>The largest request body, counted after decompression, so a gzip bomb stops here.</summary>
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// The largest record on the wire (its JSON line); larger ones are rejected in a partial success.
    /// The processor's own line limit (<c>LogParseContext.DefaultMaxLineBytes</c>) is the same 64 KiB.
    /// </summary>
    public int MaxRecordBytes { get; set; } = 64 * 1024;

    /// <summary>Records produced but not yet acknowledged by Kafka; past this, requests are answered 429.</summary>
    public int MaxInFlightRecords { get; set; } = 50_000;

    /// <summary>How long a request waits for Kafka's acknowledgements before it is answered 503.</summary>
    public TimeSpan ExportTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retry advice when Kafka is unreachable (503, UNAVAILABLE).</summary>
    public TimeSpan UnavailableRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Retry advice when the in-flight limit is reached (429, RESOURCE_EXHAUSTED).</summary>
    public TimeSpan BusyRetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}
