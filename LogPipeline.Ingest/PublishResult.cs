namespace LogPipeline.Ingest;

/// <summary>How an export went to Kafka.</summary>
public enum PublishResult
{
    /// <summary>Kafka acknowledged every record (acks=all).</summary>
    Acked,

    /// <summary>Too many records in flight: nothing of this request was produced; the sender should retry soon.</summary>
    Busy,

    /// <summary>Kafka did not acknowledge every record in time, or is known to be unreachable: the sender should retry later.</summary>
    Unavailable,
}
