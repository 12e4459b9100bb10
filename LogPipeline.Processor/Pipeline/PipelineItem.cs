namespace LogPipeline.Processor.Pipeline;

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
