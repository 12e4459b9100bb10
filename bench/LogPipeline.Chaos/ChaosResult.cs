using System.Globalization;

namespace LogPipeline.Chaos;

/// <summary>The run's accounting, printed as the command's table; <see cref="Passed"/> sets its exit code.</summary>
public sealed class ChaosResult
{
    public required ChaosOptions Options { get; init; }

    public TimeSpan Elapsed { get; init; }

    public bool CaughtUp { get; init; }

    public int Kills { get; init; }

    /// <summary>Processors that stopped by themselves for any reason but fencing: each is a failure.</summary>
    public int UnexpectedExits { get; init; }

    /// <summary>Processors that stopped because another one had stored their partitions' offsets (by design).</summary>
    public int FencedExits { get; init; }

    public long NotDelivered { get; init; }

    /// <summary>Valid events Kafka acknowledged.</summary>
    public long Produced { get; init; }

    /// <summary>Rows in log_events.</summary>
    public long Stored { get; init; }

    /// <summary>Distinct source positions (topic, partition, offset) in log_events: the events' ids.</summary>
    public long Distinct { get; init; }

    public long Duplicated => Stored - Distinct;

    /// <summary>Valid events neither stored nor deleted by the broker.</summary>
    public long Lost { get; init; }

    /// <summary>Valid events not stored that the embedded cluster deleted (below a partition's low watermark) before they were read.</summary>
    public long BrokerDeleted { get; init; }

    /// <summary>Rows whose position is not a valid event produced (a poison record stored as an event, or a stray).</summary>
    public long StoredNotProducedValid { get; init; }

    public long ValidDeadLettered { get; init; }

    public long PoisonProduced { get; init; }

    public long PoisonBrokerDeleted { get; init; }

    public long DeadLetterRows { get; init; }

    public long DeadLetterDistinct { get; init; }

    public long DeadLetterTopicRecords { get; init; }

    public long DeadLetterTopicDistinct { get; init; }

    public long DeadLetterTopicDeleted { get; init; }

    public required IReadOnlyList<(PoisonKind Kind, KindCount Count)> Kinds { get; init; }

    public long VolumeSum { get; init; }

    public long OnTimeRows { get; init; }

    public long PipelineStored { get; init; }

    public long PipelineDeadLetters { get; init; }

    /// <summary>Poison records in the store's dead_letters, distinct by source position.</summary>
    public long DeadLettered => Kinds.Sum(k => k.Count.DeadLettered);

    /// <summary>Every aggregate table against the raw rows, key by key.</summary>
    public IReadOnlyList<RollupCheck> Rollups { get; init; } = [];

    public bool AggregatesMatch => VolumeSum == OnTimeRows && PipelineStored == Stored && PipelineDeadLetters == DeadLetterDistinct
        && Rollups.All(r => r.Differing == 0);

    public bool Passed =>
        CaughtUp && UnexpectedExits == 0 && Lost == 0 && Duplicated == 0 && StoredNotProducedValid == 0 && ValidDeadLettered == 0
        && DeadLettered == PoisonProduced - PoisonBrokerDeleted && DeadLetterRows == DeadLetterDistinct && DeadLetterDistinct == DeadLettered
        && AggregatesMatch && NotDelivered == 0;

    public void Write(TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine(string.Create(c, $"chaos run: {Options}; {Elapsed.TotalMinutes:N1} min"));
        output.WriteLine(string.Create(c, $"processors killed (kill -9): {Kills}; exited by themselves: {UnexpectedExits} failed, {FencedExits} fenced out; caught up: {(CaughtUp ? "yes" : "NO")}"));
        Row(output, "produced (valid)", Produced, NotDelivered > 0 ? $"{NotDelivered:N0} more not delivered" : "acknowledged by Kafka");
        Row(output, "stored", Stored, "rows in log_events");
        Row(output, "distinct", Distinct, "distinct (topic, partition, offset) in log_events");
        Row(output, "duplicated", Duplicated, "stored - distinct");
        Row(output, "lost", Lost, "produced, not stored, not deleted by the broker");
        Row(output, "broker-deleted", BrokerDeleted, "produced, not stored, below the low watermark: the embedded cluster's 5 MiB per partition");
        Row(output, "stored, not produced", StoredNotProducedValid, "rows at positions of no valid event (poison stored as an event)");
        Row(output, "valid dead-lettered", ValidDeadLettered, "valid events in the dead letters");
        Row(output, "poison produced", PoisonProduced, $"{PoisonCorpus.Kinds.Length} kinds");
        Row(output, "poison broker-deleted", PoisonBrokerDeleted, "deleted by the broker before it was read");
        Row(output, "dead-lettered", DeadLettered, $"poison records in the store's dead_letters, distinct; expected {PoisonProduced - PoisonBrokerDeleted:N0}");
        Row(output, "dead_letters rows", DeadLetterRows, $"{DeadLetterDistinct:N0} distinct sources");
        Row(output, "logs.deadletter records", DeadLetterTopicRecords, $"{DeadLetterTopicDistinct:N0} distinct keys; {DeadLetterTopicDeleted:N0} deleted by the broker");
        Row(output, "aggregates", VolumeSum, $"sum of volume_minute counts vs {OnTimeRows:N0} on-time rows; pipeline_minute stored {PipelineStored:N0}, dead letters {PipelineDeadLetters:N0}: {(AggregatesMatch ? "equal" : "DIFFERENT")}");
        foreach (var r in Rollups)
        {
            Row(output, r.Table, r.Keys, $"keys from the raw rows; {r.Differing:N0} differ from the table{(r.Differing == 0 ? "" : ": DIFFERENT")}");
        }

        output.WriteLine();
        output.WriteLine($"{"poison kind",-16} {"produced",10} {"dead-lettered",14} {"stored",8} {"broker-deleted",15} {"missing",8}");
        foreach (var (kind, count) in Kinds)
        {
            output.WriteLine(string.Create(c, $"{kind,-16} {count.Produced,10:N0} {count.DeadLettered,14:N0} {count.Stored,8:N0} {count.BrokerDeleted,15:N0} {count.Missing,8:N0}"));
        }

        output.WriteLine();
        output.WriteLine(Passed ? "PASSED: nothing lost, nothing duplicated, every poison record dead-lettered once." : "FAILED: see the rows above.");
        output.Flush();
    }

    private static void Row(TextWriter output, string name, long value, FormattableString note) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-24} {value,12:N0}  ") + note.ToString(CultureInfo.InvariantCulture));

    private static void Row(TextWriter output, string name, long value, string note) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-24} {value,12:N0}  {note}"));
}
