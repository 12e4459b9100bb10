using LogPipeline.Data;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// Everything one processor batch writes, in one database transaction: raw events, aggregate
/// deltas, fingerprint deltas, dead letters and the consumer offsets that the batch moves past. Aggregates are
/// deltas (added to what is stored), so a batch written once counts once; the offsets guard makes
/// sure it is written once.
/// </summary>
public sealed class StoreBatch
{
    public required string GroupId { get; init; }

    /// <summary>Raw events, late ones included (<see cref="LogEventRow.IsLate"/>).</summary>
    public List<LogEventRow> Events { get; } = [];

    /// <summary>Deltas: Count and Bytes are added to the stored row of the same key.</summary>
    public List<VolumeMinute> Volume { get; } = [];

    public List<HttpStatusMinute> HttpStatus { get; } = [];

    public List<LatencyHistogramMinute> LatencyHistogram { get; } = [];

    /// <summary>Deltas: Count added; FirstSeen = min, LastSeen = max; Template, SampleMessage and Level kept from the first write.</summary>
    public List<ErrorFingerprint> Fingerprints { get; } = [];

    public List<PipelineMinute> Pipeline { get; } = [];

    /// <summary>
    /// Deltas per hour, service and fingerprint of the batch's raw events, late ones included: Count
    /// added, FirstSeen = min, LastSeen = max. The hourly volume and latency rollups need no list of
    /// their own: the writer sums them from <see cref="Volume"/> and <see cref="LatencyHistogram"/>.
    /// </summary>
    public List<ErrorHour> ErrorHours { get; } = [];

    public List<ErrorMinute> ErrorMinutes { get; } = [];

    /// <summary>Rejected records: inserted with the batch, so a batch written once records each once.</summary>
    public List<DeadLetterRow> DeadLetters { get; } = [];

    /// <summary>One entry per partition the batch covers.</summary>
    public List<PartitionProgress> Offsets { get; } = [];
}
