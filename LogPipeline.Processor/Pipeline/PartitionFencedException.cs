using LogPipeline.Processor.Storage;

namespace LogPipeline.Processor.Pipeline;

/// <summary>
/// The store had moved past offsets this process was about to write: another processor owns the
/// partitions now. The process stops; on restart it resumes from the stored offsets.
/// </summary>
public sealed class PartitionFencedException(IReadOnlyList<FencedPartition> fenced)
    : Exception("Another processor already stored these partitions' offsets: " +
                string.Join(", ", fenced.Select(f => $"{f.Topic}/{f.Partition} at {f.StoredNextOffset}")))
{
    public IReadOnlyList<FencedPartition> Fenced { get; } = fenced;
}
