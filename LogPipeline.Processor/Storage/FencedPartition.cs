namespace LogPipeline.Processor.Storage;

/// <summary>A partition whose stored offset had moved on: its part of the batch was not written.</summary>
public sealed record FencedPartition(string Topic, int Partition, long StoredNextOffset);
