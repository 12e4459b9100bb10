namespace LogPipeline.Processor.Storage;

/// <summary>A partition's progress as the writer stores it: under its consumer group, stamped with the write's time.</summary>
internal readonly record struct StoredProgress(string GroupId, PartitionProgress Progress, DateTime UpdatedAtUtc);
