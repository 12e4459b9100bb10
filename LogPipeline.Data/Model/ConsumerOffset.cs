namespace LogPipeline.Data;

/// <summary>
/// The next Kafka offset to read per consumer group and partition (<c>consumer_offsets</c>),
/// written in the same transaction as the batch it follows, so the store is exactly-once in effect.
/// </summary>
public sealed class ConsumerOffset
{
    public required string GroupId { get; set; }

    public required string Topic { get; set; }

    public int Partition { get; set; }

    public long NextOffset { get; set; }

    /// <summary>The event-time watermark of the partition when <see cref="NextOffset"/> was written; null before the first event.</summary>
    public DateTime? WatermarkUtc { get; set; }

    public DateTime UpdatedAtUtc { get; set; }
}
