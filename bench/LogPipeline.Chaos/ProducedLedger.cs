using Confluent.Kafka;

namespace LogPipeline.Chaos;

/// <summary>
/// Where every record the load producer sent landed (partition and offset, from its delivery report)
/// and what it was: the run's ground truth, independent of the processor's code.
/// </summary>
public sealed class ProducedLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, PoisonKind?> _records = [];
    private long _failed;

    /// <summary>Records delivered, by <see cref="Position"/>; null kind: a valid event.</summary>
    public IReadOnlyDictionary<long, PoisonKind?> Records
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<long, PoisonKind?>(_records);
            }
        }
    }

    /// <summary>Records Kafka did not take (never counted as produced).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _records.Count;
            }
        }
    }

    /// <summary>One number for a record's place in the topic: partitions below 2^23, offsets below 2^40.</summary>
    public static long Position(int partition, long offset) => ((long)partition << 40) | offset;

    public static (int Partition, long Offset) Split(long position) => ((int)(position >> 40), position & ((1L << 40) - 1));

    /// <summary>A delivery handler that records what <paramref name="kind"/> landed where.</summary>
    public Action<DeliveryReport<string?, byte[]>> Recorder(PoisonKind? kind) => report =>
    {
        if (report.Error.IsError || report.Status != PersistenceStatus.Persisted)
        {
            Interlocked.Increment(ref _failed);
            return;
        }

        lock (_gate)
        {
            _records[Position(report.Partition.Value, report.Offset.Value)] = kind;
        }
    };
}
