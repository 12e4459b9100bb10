using LogPipeline.Formats;

namespace LogPipeline.Data;

/// <summary>
/// One stored log event (<c>log_events</c>). The Kafka coordinates (topic, partition, offset) are
/// unique, so a redelivered message inserts nothing.
/// </summary>
public sealed class LogEventRow
{
    public long Id { get; set; }

    public required string SourceTopic { get; set; }

    public int SourcePartition { get; set; }

    public long SourceOffset { get; set; }

    /// <summary>When the event happened, in UTC.</summary>
    public DateTime TimestampUtc { get; set; }

    /// <summary>
    /// Whole minutes from 1970-01-01 UTC to <see cref="TimestampUtc"/>, computed by the store (a virtual
    /// generated column, never written): it leads the trace index, see <see cref="MinuteBuckets"/>.
    /// </summary>
    public long? MinuteBucket { get; set; }

    /// <summary>The UTC offset of the emitting host, so the original local time can be rebuilt.</summary>
    public short UtcOffsetMinutes { get; set; }

    /// <summary>When the processor read it from Kafka, in UTC.</summary>
    public DateTime ReceivedAtUtc { get; set; }

    public required string Service { get; set; }

    public required string Host { get; set; }

    /// <summary>Stored as its number (tinyint).</summary>
    public LogLevel Level { get; set; }

    public required string Message { get; set; }

    /// <summary>The wire format the event arrived in (JSON, nginx, syslog, logfmt), as a number.</summary>
    public byte Format { get; set; }

    public string? HttpMethod { get; set; }

    public string? HttpPath { get; set; }

    public short? HttpStatus { get; set; }

    public double? HttpDurationMs { get; set; }

    public long? HttpBytes { get; set; }

    /// <summary>W3C trace id, 32 lowercase hex digits.</summary>
    public string? TraceId { get; set; }

    /// <summary>W3C span id, 16 lowercase hex digits.</summary>
    public string? SpanId { get; set; }

    /// <summary>Fingerprint of the message template (see <see cref="ErrorFingerprint"/>), for warnings and worse.</summary>
    public long? Fingerprint { get; set; }

    /// <summary>The event's free-form attributes as a JSON object.</summary>
    public string? AttributesJson { get; set; }

    /// <summary>True when the event arrived after its minute's window had closed.</summary>
    public bool IsLate { get; set; }
}
