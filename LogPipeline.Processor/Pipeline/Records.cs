using System.Diagnostics;
using LogPipeline.Formats;

namespace LogPipeline.Processor.Pipeline;

/// <summary>One Kafka record as consumed, before parsing.</summary>
public sealed record KafkaRecord(
    string Topic, int Partition, long Offset, string? Key, byte[] Value, string? Host, string? TraceParent, DateTimeOffset Timestamp);

/// <summary>A parsed record (<see cref="Event"/> set) or a rejected one (<see cref="Rejection"/> set).</summary>
public sealed record ProcessedRecord(KafkaRecord Source, LogEvent? Event, LogFormat Format, string? Template, long? Fingerprint, Rejection? Rejection)
{
    /// <summary>The record's processing span, which the batch's store-write span links to; default when not traced.</summary>
    public ActivityContext Trace { get; init; }
}

/// <summary>Why a record goes to the dead-letter topic: a stable kebab-case code and a human detail.</summary>
public sealed record Rejection(string Reason, string Detail);

/// <summary>What flows through the pipeline: records, and control items kept in order with them.</summary>
public abstract record PipelineItem
{
    private PipelineItem()
    {
    }

    /// <summary>
    /// Consecutive records as consumed. Records travel in chunks because the dataflow's cost is per
    /// item (locks, hand-offs between threads): one item per record cost more than parsing it.
    /// </summary>
    public sealed record Records(KafkaRecord[] Values) : PipelineItem;

    /// <summary>A chunk of <see cref="Records"/> parsed, in the same order.</summary>
    public sealed record Processed(ProcessedRecord[] Values) : PipelineItem;

    /// <summary>Partitions assigned, with the progress stored for each (null: nothing stored yet).</summary>
    public sealed record Assigned(IReadOnlyList<(string Topic, int Partition, long NextOffset, DateTime? WatermarkUtc)> Partitions) : PipelineItem;

    /// <summary>Write everything before this item, then complete <see cref="Done"/> (and forget <see cref="Revoked"/>).</summary>
    public sealed record Barrier(TaskCompletionSource Done, IReadOnlyList<(string Topic, int Partition)> Revoked) : PipelineItem;

    /// <summary>Time to write a partial batch.</summary>
    public sealed record Tick : PipelineItem;
}
