namespace LogPipeline.Processor.Storage;

/// <summary>How an aggregate column merges with the stored row on a key conflict.</summary>
internal enum MergeKind
{
    /// <summary>stored + new (counts, bytes).</summary>
    Add,

    /// <summary>The smaller of the two (first seen).</summary>
    Min,

    /// <summary>The larger of the two (last seen).</summary>
    Max,

    /// <summary>The new value (offsets, materialised percentiles).</summary>
    Replace,

    /// <summary>The new value unless it is null (a watermark never goes back to unknown).</summary>
    ReplaceUnlessNull,
}
