namespace LogPipeline.Processor.Storage;

/// <summary>
/// The batch covers offsets [<paramref name="ExpectedNextOffset"/>, <paramref name="NextOffset"/>)
/// of one partition. The writer applies the batch's rows for that partition only when the stored
/// next offset still equals <paramref name="ExpectedNextOffset"/> (no stored row counts as
/// <see cref="PartitionProgress.NoOffset"/>); otherwise someone else already wrote them and the
/// partition is reported as fenced.
/// </summary>
public sealed record PartitionProgress(string Topic, int Partition, long ExpectedNextOffset, long NextOffset, DateTime? WatermarkUtc)
{
    /// <summary>"Nothing stored yet" for <see cref="ExpectedNextOffset"/>.</summary>
    public const long NoOffset = -1;
}
