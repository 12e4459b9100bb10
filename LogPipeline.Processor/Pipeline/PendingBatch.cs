using LogPipeline.Processor.Storage;

namespace LogPipeline.Processor.Pipeline;

/// <summary>A batch ready to write: the store transaction, the dead letters to publish first, and who waits for it.</summary>
public sealed class PendingBatch(StoreBatch store)
{
    public StoreBatch Store { get; } = store;

    public List<ProcessedRecord> DeadLetters { get; } = [];

    /// <summary>Kafka timestamps of the stored events, for the event-to-stored latency.</summary>
    public List<DateTimeOffset> EventTimes { get; } = [];

    public List<TaskCompletionSource> Barriers { get; } = [];

    /// <summary>Processing spans of the batch's records, when tracing is on.</summary>
    public List<System.Diagnostics.ActivityContext> Traces { get; } = [];

    public int LateEvents { get; set; }

    public bool IsEmpty => Store.Offsets.Count == 0 && Barriers.Count == 0;
}
