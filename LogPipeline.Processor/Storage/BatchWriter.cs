using System.Data.Common;
using System.Globalization;
using System.Text;
using LogPipeline.Data;
using Microsoft.Data.Sqlite;
using static LogPipeline.Processor.Storage.StoreValues;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// Writes processor batches exactly once in effect: each batch's rows (<see cref="BatchTables"/>)
/// and the consumer offsets it moves past in one transaction, guarded by the offsets already stored.
/// One instance per process; thread-safe (it holds no connection between calls).
/// </summary>
public sealed partial class BatchWriter
{
    private readonly ProcessorStore _store;
    private readonly BatchTables _tables;
    private readonly ILogger<BatchWriter> _logger;
    private readonly SqliteCheckpointer? _checkpointer;

    public BatchWriter(ProcessorStore store, ILogger<BatchWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _tables = BatchTables.For(store.Dialect);
        _logger = logger;
        _checkpointer = store.Provider == StoreProvider.Sqlite ? new SqliteCheckpointer(logger) : null;
    }

    /// <summary>The <c>log_events</c> columns a batch fills, for a reader that wants to copy what the writer wrote (the benchmark).</summary>
    public static IReadOnlyList<string> EventColumns => BatchTables.Events.Columns;

    public StoreProvider Provider => _store.Provider;

    /// <summary>
    /// Writes a batch in one transaction, or nothing of it. Returns the partitions whose stored next
    /// offset no longer equals the batch's <see cref="PartitionProgress.ExpectedNextOffset"/>; the
    /// list is empty when the batch is stored. Sorts the batch's lists into key order in place.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Fencing is all or nothing: the aggregate deltas of a batch are not split per partition, so
    /// when ANY partition is fenced the transaction is rolled back and nothing of the batch is
    /// written. The caller re-seeks the fenced partitions to their
    /// <see cref="FencedPartition.StoredNextOffset"/> and rebuilds the batch from what it still owns.
    /// </para>
    /// <para>
    /// A retry after an unknown commit outcome (the connection died during COMMIT) is safe: if the
    /// first attempt did commit, the retry finds every partition already at the batch's
    /// <see cref="PartitionProgress.NextOffset"/>. That case (every partition of the batch stored at
    /// exactly its NextOffset) counts as success and returns no fenced partitions, whether the
    /// earlier commit was this call's or another writer's of the same offsets.
    /// </para>
    /// <para>
    /// Raw events are plain INSERTs on SQLite and a bulk load on MariaDB (<see cref="MariaDbBulkLoad"/>,
    /// which fails where an INSERT would): the fence guarantees each offset is written once, so a
    /// unique violation on <c>ux_log_events_source</c> is a bug and fails the call without retries.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException">The batch breaks its contract (an event or dead letter outside its partition's offset range, a partition listed twice, rows without offsets).</exception>
    public async Task<IReadOnlyList<FencedPartition>> WriteAsync(StoreBatch batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!Validate(batch))
        {
            return [];
        }

        // Offsets are read FOR UPDATE in this order, so two writers lock them in the same order.
        batch.Offsets.Sort(BatchTables.OffsetOrder);
        return await _store.RunAsync((connection, token) => WriteOnceAsync(connection, batch, token), ct).ConfigureAwait(false);
    }

    /// <summary>Checks the batch's contract; false when there is nothing to write.</summary>
    private static bool Validate(StoreBatch batch)
    {
        ArgumentException.ThrowIfNullOrEmpty(batch.GroupId, nameof(batch));
        var hasRows = batch.Events.Count + batch.Volume.Count + batch.HttpStatus.Count + batch.LatencyHistogram.Count
            + batch.Fingerprints.Count + batch.Pipeline.Count + batch.DeadLetters.Count > 0;
        if (batch.Offsets.Count == 0)
        {
            return hasRows
                ? throw new ArgumentException("A batch with rows must list the partitions (offsets) it covers: without them it cannot be fenced.", nameof(batch))
                : false;
        }

        var ranges = new Dictionary<(string Topic, int Partition), PartitionProgress>();
        foreach (var progress in batch.Offsets)
        {
            ArgumentNullException.ThrowIfNull(progress, nameof(batch));
            if (!ranges.TryAdd((progress.Topic, progress.Partition), progress))
            {
                throw new ArgumentException($"Partition {progress.Topic}[{progress.Partition}] is listed twice in the batch's offsets.", nameof(batch));
            }

            if (progress.NextOffset < 0 || (progress.ExpectedNextOffset != PartitionProgress.NoOffset && progress.NextOffset < progress.ExpectedNextOffset))
            {
                throw new ArgumentException(
                    $"Partition {progress.Topic}[{progress.Partition}] moves from {progress.ExpectedNextOffset} back to {progress.NextOffset}.", nameof(batch));
            }
        }

        foreach (var e in batch.Events)
        {
            EnsureCovered(ranges, "Event", e.SourceTopic, e.SourcePartition, e.SourceOffset, nameof(batch));
        }

        foreach (var d in batch.DeadLetters)
        {
            EnsureCovered(ranges, "Dead letter", d.SourceTopic, d.SourcePartition, d.SourceOffset, nameof(batch));
        }

        return true;
    }

    private static void EnsureCovered(Dictionary<(string Topic, int Partition), PartitionProgress> ranges, string what, string topic, int partition, long offset, string paramName)
    {
        if (!ranges.TryGetValue((topic, partition), out var range))
        {
            throw new ArgumentException($"{what} {topic}[{partition}]@{offset} belongs to a partition the batch's offsets do not cover.", paramName);
        }

        if (offset >= range.NextOffset || (range.ExpectedNextOffset != PartitionProgress.NoOffset && offset < range.ExpectedNextOffset))
        {
            throw new ArgumentException(
                $"{what} {topic}[{partition}]@{offset} is outside the batch's range [{range.ExpectedNextOffset}, {range.NextOffset}).", paramName);
        }
    }

    private async Task<IReadOnlyList<FencedPartition>> WriteOnceAsync(DbConnection connection, StoreBatch batch, CancellationToken ct)
    {
        var sqlite = connection as SqliteConnection;
        if (sqlite is not null)
        {
            SqliteCheckpointer.Prepare(sqlite);
        }

        var transaction = await _store.Dialect.BeginAsync(connection, ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var progress = batch.Offsets;
            var stored = await ReadNextOffsetsAsync(connection, transaction, batch.GroupId, progress, ct).ConfigureAwait(false);

            var fenced = new List<FencedPartition>();
            for (var i = 0; i < progress.Count; i++)
            {
                if (stored[i] != progress[i].ExpectedNextOffset)
                {
                    fenced.Add(new FencedPartition(progress[i].Topic, progress[i].Partition, stored[i]));
                }
            }

            if (fenced.Count > 0)
            {
                await transaction.RollbackAsync(ct).ConfigureAwait(false);
                if (progress.Select((p, i) => stored[i] == p.NextOffset).All(x => x))
                {
                    LogAlreadyStored(_logger, batch.GroupId, progress.Count);
                    return [];
                }

                foreach (var f in fenced)
                {
                    LogFenced(_logger, batch.GroupId, f.Topic, f.Partition, f.StoredNextOffset);
                }

                return fenced;
            }

            await _tables.WriteRowsAsync(connection, transaction, batch, ct).ConfigureAwait(false);

            var now = _store.UtcNow;
            var offsets = progress.ConvertAll(p => new StoredProgress(batch.GroupId, p, now));
            await _tables.Offsets.WriteAsync(connection, transaction, offsets, ct).ConfigureAwait(false);

            await transaction.CommitAsync(ct).ConfigureAwait(false);
            if (sqlite is not null)
            {
                _checkpointer?.AfterCommit(sqlite);
            }

            return [];
        }
    }

    /// <summary>
    /// The stored next offset of each partition (<see cref="PartitionProgress.NoOffset"/> when none), read
    /// with one statement per topic. Every key is an equality on the primary key, so on MariaDB
    /// <c>FOR UPDATE</c> locks exactly those rows (or the gaps where they would be) in key order, the
    /// same in every writer; SQLite's BEGIN IMMEDIATE already holds the database's write lock.
    /// </summary>
    private async Task<long[]> ReadNextOffsetsAsync(
        DbConnection connection, DbTransaction transaction, string groupId, IReadOnlyList<PartitionProgress> progress, CancellationToken ct)
    {
        var dialect = _store.Dialect;
        var stored = new long[progress.Count];
        Array.Fill(stored, PartitionProgress.NoOffset);
        foreach (var topic in progress.Select((p, i) => (p, i)).GroupBy(x => x.p.Topic, StringComparer.Ordinal))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.Transaction = transaction;
                var indexOf = new Dictionary<int, int>();
                var list = new StringBuilder();
                foreach (var (p, i) in topic)
                {
                    var name = "@p" + indexOf.Count.ToString(CultureInfo.InvariantCulture);
                    list.Append(indexOf.Count == 0 ? string.Empty : ", ").Append(name);
                    AddParameter(command, name, p.Partition);
                    indexOf[p.Partition] = i;
                }

                command.CommandText = $"SELECT {dialect.PartitionColumn}, next_offset FROM consumer_offsets " +
                    $"WHERE group_id = @group AND topic = @topic AND {dialect.PartitionColumn} IN ({list}){dialect.ForUpdate}";
                AddParameter(command, "@group", Truncate(groupId, StoreLimits.GroupIdLength));
                AddParameter(command, "@topic", Truncate(topic.Key, StoreLimits.TopicLength));
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        stored[indexOf[ToInt32(reader.GetValue(0))]] = ToInt64(reader.GetValue(1));
                    }
                }
            }
        }

        return stored;
    }

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "Batch of group {GroupId} fenced: {Topic}[{Partition}] is stored at offset {StoredNextOffset}; nothing of the batch was written")]
    private static partial void LogFenced(ILogger logger, string groupId, string topic, int partition, long storedNextOffset);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "Batch of group {GroupId} was already stored (all {Partitions} partitions at its next offsets): a retried commit that had succeeded")]
    private static partial void LogAlreadyStored(ILogger logger, string groupId, int partitions);
}
