namespace LogPipeline.Processor.Storage;

/// <summary>Stored progress of one partition, read on assignment.</summary>
public sealed record StoredOffset(long NextOffset, DateTime? WatermarkUtc);
