namespace LogPipeline.Data;

/// <summary>
/// A record the processor rejected (<c>dead_letters</c>), stored in the transaction of its batch: its
/// source position is unique, so a batch written again after a crash cannot record it twice.
/// </summary>
public sealed class DeadLetterRow
{
    public long Id { get; set; }

    public required string SourceTopic { get; set; }

    public int SourcePartition { get; set; }

    public long SourceOffset { get; set; }

    /// <summary>The stable kebab-case reason code, for example <c>invalid-utf8</c>.</summary>
    public required string Reason { get; set; }

    public required string Detail { get; set; }

    /// <summary>The record's key (the service, for well-behaved senders), cut to 1 KiB.</summary>
    public string? RecordKey { get; set; }

    public string? Host { get; set; }

    /// <summary>The value's size in bytes, before any cut.</summary>
    public int ValueSize { get; set; }

    /// <summary>SHA-256 of the whole value, lower-case hex: finds the record on the topic or in a sender's logs.</summary>
    public required string ValueSha256 { get; set; }

    /// <summary>The value's start as text: invalid UTF-8 replaced, control characters shown as their symbols.</summary>
    public required string Preview { get; set; }

    /// <summary>The Kafka record's timestamp.</summary>
    public DateTime RecordTimeUtc { get; set; }

    public DateTime DeadLetteredAtUtc { get; set; }
}
