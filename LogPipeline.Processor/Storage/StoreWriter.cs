using System.Data.Common;
using System.Globalization;
using System.Text;
using LogPipeline.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using Polly;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// The processor's only way into the store: writes batches exactly once (guarded by the stored
/// consumer offsets), materialises latency percentiles, purges old data and keeps anomalies. Raw
/// ADO.NET on <see cref="StoreConnectionFactory"/>, so it works on SQLite and on MariaDB without an
/// EF provider. One instance per process (thread-safe; it holds no connection between calls).
/// </summary>
/// <remarks>
/// Every operation runs inside the store's resilience pipeline (<see cref="StoreResilience"/>) on a
/// fresh connection per attempt.
/// </remarks>
public sealed partial class StoreWriter
{
    /// <summary>Rows per DELETE of a purge, so no single statement holds locks for long.</summary>
    internal const int PurgeChunk = 10_000;

    // MariaDB's default max_allowed_packet is 16 MiB. A statement takes no more rows once its text
    // passes this many characters (all ASCII: quoted ASCII or hex, one byte each), so even a last
    // row of two 16,000-character texts in hex (about 200k) keeps it far below the limit.
    private const int MaxStatementChars = 2 * 1024 * 1024;

    private static readonly string[] AggregateTables = ["volume_minute", "http_status_minute", "latency_histogram_minute", "latency_minute", "pipeline_minute"];

    /// <summary>The <c>log_events</c> columns the writer fills, in the order <see cref="BindEvent"/> gives them.</summary>
    private static readonly string[] EventColumns =
    [
        "source_topic", "source_partition", "source_offset", "timestamp_utc", "utc_offset_minutes", "received_at_utc",
        "service", "host", "level", "message", "format", "http_method", "http_path", "http_status", "http_duration_ms", "http_bytes",
        "trace_id", "span_id", "fingerprint", "attributes_json", "is_late",
    ];

    private readonly StoreConnectionFactory _connections;
    private readonly StoreSqlDialect _dialect;
    private readonly ResiliencePipeline _resilience;
    private readonly TimeProvider _time;
    private readonly ILogger<StoreWriter> _logger;
    private readonly SqliteCheckpointer? _checkpointer;
    private readonly RowsStatement _eventRows;
    private readonly RowsStatement _volumeRows;
    private readonly RowsStatement _httpStatusRows;
    private readonly RowsStatement _histogramRows;
    private readonly RowsStatement _fingerprintRows;
    private readonly RowsStatement _pipelineRows;
    private readonly RowsStatement _offsetRows;
    private readonly RowsStatement _latencyRows;

    public StoreWriter(StoreConnectionFactory connections, StoreResilienceOptions resilience, TimeProvider time, ILogger<StoreWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(resilience);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        // MariaDB raw events are bulk-loaded (MariaDbBulkLoad), which the driver allows only when asked to.
        _connections = connections.WithLocalInfile();
        _dialect = StoreSqlDialect.For(connections.Provider);
        _resilience = StoreResilience.Build(resilience, logger);
        _time = time;
        _logger = logger;
        _checkpointer = connections.Provider == StoreProvider.Sqlite ? new SqliteCheckpointer(logger) : null;

        var d = _dialect;
        _eventRows = RowsStatement.Insert("log_events", EventColumns);
        _volumeRows = RowsStatement.Insert("volume_minute", ["bucket_start_utc", "service", "level", "count", "bytes"],
            d.Upsert(["bucket_start_utc", "service", "level"], [("count", MergeKind.Add), ("bytes", MergeKind.Add)]));
        _httpStatusRows = RowsStatement.Insert("http_status_minute", ["bucket_start_utc", "service", "status_class", "count"],
            d.Upsert(["bucket_start_utc", "service", "status_class"], [("count", MergeKind.Add)]));
        _histogramRows = RowsStatement.Insert("latency_histogram_minute", ["bucket_start_utc", "service", "bin", "count"],
            d.Upsert(["bucket_start_utc", "service", "bin"], [("count", MergeKind.Add)]));
        _fingerprintRows = RowsStatement.Insert("error_fingerprints",
            ["service", "fingerprint", "template", "count", "first_seen_utc", "last_seen_utc", "sample_message", "level"],
            d.Upsert(["service", "fingerprint"], [("count", MergeKind.Add), ("first_seen_utc", MergeKind.Min), ("last_seen_utc", MergeKind.Max)]));
        _pipelineRows = RowsStatement.Insert("pipeline_minute", ["bucket_start_utc", "events_in", "events_stored", "late_events", "dead_letters"],
            d.Upsert(["bucket_start_utc"],
                [("events_in", MergeKind.Add), ("events_stored", MergeKind.Add), ("late_events", MergeKind.Add), ("dead_letters", MergeKind.Add)]));
        _offsetRows = RowsStatement.Insert("consumer_offsets", ["group_id", "topic", d.PartitionColumn, "next_offset", "watermark_utc", "updated_at_utc"],
            d.Upsert(["group_id", "topic", d.PartitionColumn],
                [("next_offset", MergeKind.Replace), ("watermark_utc", MergeKind.ReplaceUnlessNull), ("updated_at_utc", MergeKind.Replace)]));
        _latencyRows = RowsStatement.Insert("latency_minute", ["bucket_start_utc", "service", "count", "p50_ms", "p95_ms", "p99_ms"],
            d.Upsert(["bucket_start_utc", "service"],
                [("count", MergeKind.Replace), ("p50_ms", MergeKind.Replace), ("p95_ms", MergeKind.Replace), ("p99_ms", MergeKind.Replace)]));
    }

    internal delegate void RowBinder<in T>(T row, RowValues values);

    public StoreProvider Provider => _connections.Provider;

    /// <summary>
    /// Writes a batch in one transaction, or nothing of it. Returns the partitions whose stored next
    /// offset no longer equals the batch's <see cref="PartitionProgress.ExpectedNextOffset"/>; the
    /// list is empty when the batch is stored.
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
    /// <exception cref="ArgumentException">The batch breaks its contract (an event outside its partition's offset range, a partition listed twice, rows without offsets).</exception>
    public async Task<IReadOnlyList<FencedPartition>> WriteAsync(StoreBatch batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!Validate(batch))
        {
            return [];
        }

        return await _resilience.ExecuteAsync(
            static async (state, token) => await state.Writer.WriteOnceAsync(state.Batch, token).ConfigureAwait(false),
            (Writer: this, Batch: batch),
            ct).ConfigureAwait(false);
    }

    /// <summary>The stored progress of the given partitions; partitions with nothing stored are absent.</summary>
    public async Task<IReadOnlyDictionary<(string Topic, int Partition), StoredOffset>> ReadOffsetsAsync(
        string groupId, string topic, IEnumerable<int> partitions, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(partitions);
        var wanted = partitions.Distinct().Order().ToList();
        if (wanted.Count == 0)
        {
            return new Dictionary<(string, int), StoredOffset>();
        }

        return await _resilience.ExecuteAsync(async token =>
        {
            var connection = await _connections.OpenAsync(token).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    var list = string.Join(", ", wanted.Select((_, i) => "@p" + i.ToString(CultureInfo.InvariantCulture)));
                    command.CommandText = $"SELECT {_dialect.PartitionColumn}, next_offset, watermark_utc FROM consumer_offsets " +
                        $"WHERE group_id = @group AND topic = @topic AND {_dialect.PartitionColumn} IN ({list})";
                    AddParameter(command, "@group", Truncate(groupId, StoreLimits.GroupIdLength));
                    AddParameter(command, "@topic", Truncate(topic, StoreLimits.TopicLength));
                    for (var i = 0; i < wanted.Count; i++)
                    {
                        AddParameter(command, "@p" + i.ToString(CultureInfo.InvariantCulture), wanted[i]);
                    }

                    var result = new Dictionary<(string Topic, int Partition), StoredOffset>();
                    var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(token).ConfigureAwait(false))
                        {
                            result[(topic, ToInt32(reader.GetValue(0)))] = new StoredOffset(ToInt64(reader.GetValue(1)), ReadUtcOrNull(reader, 2));
                        }
                    }

                    return (IReadOnlyDictionary<(string Topic, int Partition), StoredOffset>)result;
                }
            }
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Computes count, p50, p95 and p99 for every (minute, service) in [<paramref name="fromMinuteUtc"/>,
    /// <paramref name="toMinuteUtc"/>) that has histogram rows, from its summed bins, and upserts
    /// <c>latency_minute</c>. Idempotent; returns the number of (minute, service) rows written.
    /// </summary>
    public async Task<int> MaterializeLatencyAsync(DateTime fromMinuteUtc, DateTime toMinuteUtc, CancellationToken ct)
    {
        var from = Utc(fromMinuteUtc);
        var to = Utc(toMinuteUtc);
        if (to <= from)
        {
            return 0;
        }

        return await _resilience.ExecuteAsync(async token =>
        {
            var connection = await _connections.OpenAsync(token).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await _dialect.BeginAsync(connection, token).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var bins = new Dictionary<(DateTime Minute, string Service), List<(int Bin, long Count)>>();
                    var command = connection.CreateCommand();
                    await using (command.ConfigureAwait(false))
                    {
                        command.Transaction = transaction;
                        command.CommandText = "SELECT bucket_start_utc, service, bin, count FROM latency_histogram_minute " +
                            "WHERE bucket_start_utc >= @from AND bucket_start_utc < @to";
                        AddParameter(command, "@from", from);
                        AddParameter(command, "@to", to);
                        var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                        await using (reader.ConfigureAwait(false))
                        {
                            while (await reader.ReadAsync(token).ConfigureAwait(false))
                            {
                                var key = (ReadUtc(reader, 0), reader.GetString(1));
                                if (!bins.TryGetValue(key, out var list))
                                {
                                    bins[key] = list = [];
                                }

                                list.Add((ToInt32(reader.GetValue(2)), ToInt64(reader.GetValue(3))));
                            }
                        }
                    }

                    var rows = bins
                        .Select(b => (b.Key.Minute, b.Key.Service, Count: b.Value.Sum(x => x.Count), Bins: b.Value))
                        .Where(r => r.Count > 0)
                        .OrderBy(r => r.Minute).ThenBy(r => r.Service, StringComparer.Ordinal)
                        .Select(r => new LatencyMinute
                        {
                            BucketStartUtc = r.Minute,
                            Service = r.Service,
                            Count = r.Count,
                            P50Ms = LatencyHistogram.Percentile(r.Bins, 0.50),
                            P95Ms = LatencyHistogram.Percentile(r.Bins, 0.95),
                            P99Ms = LatencyHistogram.Percentile(r.Bins, 0.99),
                        })
                        .ToList();

                    await ExecuteMultiRowAsync(connection, transaction, _latencyRows, rows, static (r, v) =>
                    {
                        v.Add(r.BucketStartUtc);
                        v.Add(r.Service);
                        v.Add(r.Count);
                        v.Add(r.P50Ms);
                        v.Add(r.P95Ms);
                        v.Add(r.P99Ms);
                    }, token).ConfigureAwait(false);
                    await transaction.CommitAsync(token).ConfigureAwait(false);
                    return rows.Count;
                }
            }
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes raw events with a timestamp before <paramref name="rawBeforeUtc"/> and aggregate rows
    /// (volume, HTTP status, latency histogram, latency, pipeline) of minutes before
    /// <paramref name="aggregatesBeforeUtc"/>, in chunks of <see cref="PurgeChunk"/> rows, each its
    /// own short transaction (a purge interrupted half way is simply continued by the next one).
    /// Error fingerprints, anomalies and offsets are kept.
    /// </summary>
    public async Task<(int RawDeleted, int AggregateRowsDeleted)> PurgeAsync(DateTime rawBeforeUtc, DateTime aggregatesBeforeUtc, CancellationToken ct)
    {
        var raw = await PurgeTableAsync("log_events", "timestamp_utc", Utc(rawBeforeUtc), ct).ConfigureAwait(false);
        var aggregates = 0;
        foreach (var table in AggregateTables)
        {
            aggregates += await PurgeTableAsync(table, "bucket_start_utc", Utc(aggregatesBeforeUtc), ct).ConfigureAwait(false);
        }

        return (raw, aggregates);
    }

    /// <summary>
    /// Opens an anomaly of <paramref name="service"/> and <paramref name="kind"/> and returns its id,
    /// or returns the id of the one already open: two processor instances judging the same minute
    /// open it once. Idempotent, so it runs in the resilience pipeline like every other operation.
    /// </summary>
    /// <remarks>
    /// The check and the insert share one transaction. SQLite: BEGIN IMMEDIATE holds the write lock.
    /// MariaDB: the locking read gap-locks "no open anomaly"; two openers that both found none then
    /// deadlock on their inserts, one is rolled back, and its retry finds the other's row.
    /// </remarks>
    public async Task<long> OpenAnomalyAsync(string service, string kind, DateTime startedAtUtc, double observed, double expected, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        service = Truncate(service, StoreLimits.ServiceLength);
        kind = Truncate(kind, StoreLimits.AnomalyKindLength);
        return await _resilience.ExecuteAsync(async token =>
        {
            var connection = await _connections.OpenAsync(token).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await _dialect.BeginAsync(connection, token).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var command = connection.CreateCommand();
                    await using (command.ConfigureAwait(false))
                    {
                        command.Transaction = transaction;
                        command.CommandText = "SELECT id FROM anomalies WHERE service = @service AND ended_at_utc IS NULL AND kind = @kind " +
                            $"ORDER BY id LIMIT 1{_dialect.ForUpdate}";
                        AddParameter(command, "@service", service);
                        AddParameter(command, "@kind", kind);
                        if (await command.ExecuteScalarAsync(token).ConfigureAwait(false) is { } existing and not DBNull)
                        {
                            await transaction.CommitAsync(token).ConfigureAwait(false);
                            return ToInt64(existing);
                        }

                        command.CommandText = "INSERT INTO anomalies (service, kind, started_at_utc, ended_at_utc, observed, expected, updated_at_utc) " +
                            "VALUES (@service, @kind, @started, NULL, @observed, @expected, @updated) RETURNING id";
                        AddParameter(command, "@started", Utc(startedAtUtc));
                        AddParameter(command, "@observed", observed);
                        AddParameter(command, "@expected", expected);
                        AddParameter(command, "@updated", Now());
                        var id = ToInt64(await command.ExecuteScalarAsync(token).ConfigureAwait(false));
                        await transaction.CommitAsync(token).ConfigureAwait(false);
                        return id;
                    }
                }
            }
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Updates an anomaly's observed and expected values; a non-null <paramref name="endedAtUtc"/>
    /// closes it (null leaves or makes it open).
    /// </summary>
    /// <exception cref="InvalidOperationException">No anomaly has the id.</exception>
    public async Task UpdateAnomalyAsync(long id, double observed, double expected, DateTime? endedAtUtc, CancellationToken ct)
    {
        var affected = await _resilience.ExecuteAsync(async token =>
        {
            var connection = await _connections.OpenAsync(token).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.CommandText = "UPDATE anomalies SET observed = @observed, expected = @expected, ended_at_utc = @ended, updated_at_utc = @updated WHERE id = @id";
                    AddParameter(command, "@observed", observed);
                    AddParameter(command, "@expected", expected);
                    AddParameter(command, "@ended", endedAtUtc is { } ended ? Utc(ended) : null);
                    AddParameter(command, "@updated", Now());
                    AddParameter(command, "@id", id);
                    return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                }
            }
        }, ct).ConfigureAwait(false);

        if (affected == 0)
        {
            throw new InvalidOperationException($"No anomaly with id {id}.");
        }
    }

    /// <summary>Anomalies without an end, oldest first.</summary>
    public Task<IReadOnlyList<Anomaly>> ReadOpenAnomaliesAsync(CancellationToken ct) => ReadAnomaliesAsync(null, ct);

    /// <summary>Open anomalies, and with <paramref name="endedSinceUtc"/> also those that ended at or after it.</summary>
    public async Task<IReadOnlyList<Anomaly>> ReadAnomaliesAsync(DateTime? endedSinceUtc, CancellationToken ct) =>
        await _resilience.ExecuteAsync(async token =>
        {
            var connection = await _connections.OpenAsync(token).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.CommandText = "SELECT id, service, kind, started_at_utc, ended_at_utc, observed, expected, updated_at_utc " +
                        "FROM anomalies WHERE ended_at_utc IS NULL OR ended_at_utc >= @since ORDER BY id";
                    AddParameter(command, "@since", Utc(endedSinceUtc ?? DateTime.MaxValue));
                    var result = new List<Anomaly>();
                    var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(token).ConfigureAwait(false))
                        {
                            result.Add(new Anomaly
                            {
                                Id = ToInt64(reader.GetValue(0)),
                                Service = reader.GetString(1),
                                Kind = reader.GetString(2),
                                StartedAtUtc = ReadUtc(reader, 3),
                                EndedAtUtc = ReadUtcOrNull(reader, 4),
                                Observed = Convert.ToDouble(reader.GetValue(5), CultureInfo.InvariantCulture),
                                Expected = Convert.ToDouble(reader.GetValue(6), CultureInfo.InvariantCulture),
                                UpdatedAtUtc = ReadUtc(reader, 7),
                            });
                        }
                    }

                    return (IReadOnlyList<Anomaly>)result;
                }
            }
        }, ct).ConfigureAwait(false);

    /// <summary>
    /// Events and errors (level error or worse) per minute and service in
    /// [<paramref name="fromMinuteUtc"/>, <paramref name="toMinuteUtc"/>), from <c>volume_minute</c>,
    /// ordered by minute and service.
    /// </summary>
    public async Task<IReadOnlyList<(DateTime Minute, string Service, long Total, long Errors)>> ReadErrorCountsAsync(
        DateTime fromMinuteUtc, DateTime toMinuteUtc, CancellationToken ct) =>
        await _resilience.ExecuteAsync(async token =>
        {
            var connection = await _connections.OpenAsync(token).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.CommandText = "SELECT bucket_start_utc, service, SUM(count), SUM(CASE WHEN level >= @error THEN count ELSE 0 END) " +
                        "FROM volume_minute WHERE bucket_start_utc >= @from AND bucket_start_utc < @to " +
                        "GROUP BY bucket_start_utc, service ORDER BY bucket_start_utc, service";
                    AddParameter(command, "@error", (byte)Kafka.Wire.LogLevel.Error);
                    AddParameter(command, "@from", Utc(fromMinuteUtc));
                    AddParameter(command, "@to", Utc(toMinuteUtc));
                    var result = new List<(DateTime, string, long, long)>();
                    var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(token).ConfigureAwait(false))
                        {
                            result.Add((ReadUtc(reader, 0), reader.GetString(1), ToInt64(reader.GetValue(2)), ToInt64(reader.GetValue(3))));
                        }
                    }

                    return (IReadOnlyList<(DateTime Minute, string Service, long Total, long Errors)>)result;
                }
            }
        }, ct).ConfigureAwait(false);

    /// <summary>Checks the batch's contract; false when there is nothing to write.</summary>
    private static bool Validate(StoreBatch batch)
    {
        ArgumentException.ThrowIfNullOrEmpty(batch.GroupId, nameof(batch));
        var hasRows = batch.Events.Count + batch.Volume.Count + batch.HttpStatus.Count + batch.LatencyHistogram.Count
            + batch.Fingerprints.Count + batch.Pipeline.Count > 0;
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
            if (!ranges.TryGetValue((e.SourceTopic, e.SourcePartition), out var range))
            {
                throw new ArgumentException($"Event {e.SourceTopic}[{e.SourcePartition}]@{e.SourceOffset} belongs to a partition the batch's offsets do not cover.", nameof(batch));
            }

            if (e.SourceOffset >= range.NextOffset || (range.ExpectedNextOffset != PartitionProgress.NoOffset && e.SourceOffset < range.ExpectedNextOffset))
            {
                throw new ArgumentException(
                    $"Event {e.SourceTopic}[{e.SourcePartition}]@{e.SourceOffset} is outside the batch's range [{range.ExpectedNextOffset}, {range.NextOffset}).", nameof(batch));
            }
        }

        return true;
    }

    private async Task<IReadOnlyList<FencedPartition>> WriteOnceAsync(StoreBatch batch, CancellationToken ct)
    {
        var connection = await _connections.OpenAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var sqlite = connection as SqliteConnection;
            if (sqlite is not null)
            {
                SqliteCheckpointer.Prepare(sqlite);
            }

            var transaction = await _dialect.BeginAsync(connection, ct).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var progress = batch.Offsets.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList();
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

                await WriteRowsAsync(connection, transaction, batch, ct).ConfigureAwait(false);

                var now = Now();
                await ExecuteMultiRowAsync(connection, transaction, _offsetRows, progress, (p, v) =>
                {
                    v.Add(Truncate(batch.GroupId, StoreLimits.GroupIdLength));
                    v.Add(Truncate(p.Topic, StoreLimits.TopicLength));
                    v.Add(p.Partition);
                    v.Add(p.NextOffset);
                    v.Add(p.WatermarkUtc is { } watermark ? Utc(watermark) : null);
                    v.Add(now);
                }, ct).ConfigureAwait(false);

                await transaction.CommitAsync(ct).ConfigureAwait(false);
                if (sqlite is not null)
                {
                    _checkpointer?.AfterCommit(sqlite);
                }
                return [];
            }
        }
    }

    private async Task WriteRowsAsync(DbConnection connection, DbTransaction transaction, StoreBatch batch, CancellationToken ct)
    {
        await InsertEventsAsync(connection, transaction, batch.Events, ct).ConfigureAwait(false);

        // Aggregates in key order: two writers touching the same rows lock them in the same order.
        await ExecuteMultiRowAsync(connection, transaction, _volumeRows,
            batch.Volume.OrderBy(r => r.BucketStartUtc).ThenBy(r => r.Service, StringComparer.Ordinal).ThenBy(r => r.Level).ToList(), static (r, v) =>
            {
                v.Add(Utc(r.BucketStartUtc));
                v.Add(Truncate(r.Service, StoreLimits.ServiceLength));
                v.Add((byte)r.Level);
                v.Add(r.Count);
                v.Add(r.Bytes);
            }, ct).ConfigureAwait(false);

        await ExecuteMultiRowAsync(connection, transaction, _httpStatusRows,
            batch.HttpStatus.OrderBy(r => r.BucketStartUtc).ThenBy(r => r.Service, StringComparer.Ordinal).ThenBy(r => r.StatusClass).ToList(), static (r, v) =>
            {
                v.Add(Utc(r.BucketStartUtc));
                v.Add(Truncate(r.Service, StoreLimits.ServiceLength));
                v.Add(r.StatusClass);
                v.Add(r.Count);
            }, ct).ConfigureAwait(false);

        await ExecuteMultiRowAsync(connection, transaction, _histogramRows,
            batch.LatencyHistogram.OrderBy(r => r.BucketStartUtc).ThenBy(r => r.Service, StringComparer.Ordinal).ThenBy(r => r.Bin).ToList(), static (r, v) =>
            {
                v.Add(Utc(r.BucketStartUtc));
                v.Add(Truncate(r.Service, StoreLimits.ServiceLength));
                v.Add(r.Bin);
                v.Add(r.Count);
            }, ct).ConfigureAwait(false);

        await ExecuteMultiRowAsync(connection, transaction, _fingerprintRows,
            batch.Fingerprints.OrderBy(r => r.Service, StringComparer.Ordinal).ThenBy(r => r.Fingerprint).ToList(), static (r, v) =>
            {
                v.Add(Truncate(r.Service, StoreLimits.ServiceLength));
                v.Add(r.Fingerprint);
                v.Add(Truncate(r.Template, StoreLimits.TextLength));
                v.Add(r.Count);
                v.Add(Utc(r.FirstSeenUtc));
                v.Add(Utc(r.LastSeenUtc));
                v.Add(Truncate(r.SampleMessage, StoreLimits.TextLength));
                v.Add((byte)r.Level);
            }, ct).ConfigureAwait(false);

        await ExecuteMultiRowAsync(connection, transaction, _pipelineRows,
            batch.Pipeline.OrderBy(r => r.BucketStartUtc).ToList(), static (r, v) =>
            {
                v.Add(Utc(r.BucketStartUtc));
                v.Add(r.EventsIn);
                v.Add(r.EventsStored);
                v.Add(r.LateEvents);
                v.Add(r.DeadLetters);
            }, ct).ConfigureAwait(false);
    }

    private Task InsertEventsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<LogEventRow> events, CancellationToken ct) =>
        connection is MySqlConnection mySql
            ? MariaDbBulkLoad.LoadAsync(mySql, "log_events", EventColumns, events, BindEvent, ct)
            : ExecuteMultiRowAsync(connection, transaction, _eventRows, events, BindEvent, ct);

    /// <summary>One raw event's values in <see cref="EventColumns"/> order, cut to the store's limits.</summary>
    private static void BindEvent(LogEventRow e, RowValues v)
    {
        v.Add(Truncate(e.SourceTopic, StoreLimits.TopicLength));
        v.Add(e.SourcePartition);
        v.Add(e.SourceOffset);
        v.Add(Utc(e.TimestampUtc));
        v.Add(e.UtcOffsetMinutes);
        v.Add(Utc(e.ReceivedAtUtc));
        v.Add(Truncate(e.Service, StoreLimits.ServiceLength));
        v.Add(Truncate(e.Host, StoreLimits.HostLength));
        v.Add((byte)e.Level);
        v.Add(Truncate(e.Message, StoreLimits.TextLength));
        v.Add(e.Format);
        v.Add(TruncateOrNull(e.HttpMethod, StoreLimits.HttpMethodLength));
        v.Add(TruncateOrNull(e.HttpPath, StoreLimits.HttpPathLength));
        v.Add(e.HttpStatus);

        // MariaDB rejects NaN and infinities; a duration that is not a number is no duration.
        v.Add(e.HttpDurationMs is { } ms && double.IsFinite(ms) ? ms : null);
        v.Add(e.HttpBytes);
        v.Add(TruncateOrNull(e.TraceId, StoreLimits.TraceIdLength));
        v.Add(TruncateOrNull(e.SpanId, StoreLimits.SpanIdLength));
        v.Add(e.Fingerprint);
        v.Add(TruncateOrNull(e.AttributesJson, StoreLimits.TextLength));
        v.Add(e.IsLate);
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

                command.CommandText = $"SELECT {_dialect.PartitionColumn}, next_offset FROM consumer_offsets " +
                    $"WHERE group_id = @group AND topic = @topic AND {_dialect.PartitionColumn} IN ({list}){_dialect.ForUpdate}";
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

    private async Task<int> PurgeTableAsync(string table, string column, DateTime cutoff, CancellationToken ct)
    {
        var sql = _dialect.DeleteChunk(table, column, PurgeChunk);
        var total = 0;
        while (true)
        {
            var deleted = await _resilience.ExecuteAsync(async token =>
            {
                var connection = await _connections.OpenAsync(token).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    var command = connection.CreateCommand();
                    await using (command.ConfigureAwait(false))
                    {
                        command.CommandText = sql;
                        AddParameter(command, "@cutoff", cutoff);
                        return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                    }
                }
            }, ct).ConfigureAwait(false);
            total += deleted;
            if (deleted < PurgeChunk)
            {
                return total;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="statement"/> (<c>head (row), (row), ... tail</c>) over the rows: every row on SQLite, aggregates and
    /// offsets on MariaDB (its raw events are bulk-loaded). SQLite: one prepared single-row
    /// statement per row, bound natively (<see cref="SqliteRows"/>). MariaDB: statements of up to
    /// <see cref="StoreSqlDialect.RowsPerStatement"/> rows and <see cref="MaxStatementChars"/> of
    /// text, values as literals (<see cref="MariaDbLiterals"/>); the next statement is built on another
    /// thread while the server runs the current one.
    /// </summary>
    private async Task ExecuteMultiRowAsync<T>(
        DbConnection connection, DbTransaction transaction, RowsStatement statement, IReadOnlyList<T> rows, RowBinder<T> bind, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var (head, tail, columns) = statement;

        if (connection is SqliteConnection sqlite)
        {
            var single = new StringBuilder(head).Append('(');
            for (var c = 1; c <= columns; c++)
            {
                single.Append(c == 1 ? "?" : ", ?").Append(c);
            }

            SqliteRows.Execute(sqlite, single.Append(')').Append(tail).ToString(), columns, rows, bind);
            return;
        }

        var rowsPerStatement = _dialect.RowsPerStatement;
        var next = BuildStatement(head, tail, columns, rows, 0, rowsPerStatement, bind);
        while (next.Sql is { } sql)
        {
            var following = next.End < rows.Count
                ? Task.Run(() => BuildStatement(head, tail, columns, rows, next.End, rowsPerStatement, bind), ct)
                : Task.FromResult<(string? Sql, int End)>((null, rows.Count));
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.Transaction = transaction;
                command.CommandText = sql;
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            next = await following.ConfigureAwait(false);
        }
    }

    /// <summary>One statement of rows from <paramref name="start"/>, and where the next starts.</summary>
    private static (string? Sql, int End) BuildStatement<T>(
        string head, string tail, int columns, IReadOnlyList<T> rows, int start, int maxRows, RowBinder<T> bind)
    {
        var sql = new StringBuilder(head, 64 * 1024);
        var values = new MariaDbLiterals.Row(sql);
        var end = start;
        while (end < rows.Count && end - start < maxRows && (end == start || sql.Length < MaxStatementChars))
        {
            sql.Append(end == start ? "(" : ", (");
            values.Start();
            bind(rows[end], values);
            values.EnsureComplete(columns);
            sql.Append(')');
            end++;
        }

        return (sql.Append(tail).ToString(), end);
    }

    private static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    private DateTime Now() => _time.GetUtcNow().UtcDateTime;

    private static DateTime Utc(DateTime value) => value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc);

    private static DateTime ReadUtc(DbDataReader reader, int ordinal) => DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);

    private static DateTime? ReadUtcOrNull(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : ReadUtc(reader, ordinal);

    private static long ToInt64(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private static int ToInt32(object? value) => Convert.ToInt32(value, CultureInfo.InvariantCulture);

    /// <summary>
    /// Cuts a value to a column's length in UTF-16 units (never more characters than the column
    /// holds), without splitting a surrogate pair, which would not encode as UTF-8.
    /// </summary>
    internal static string Truncate(string value, int maxLength)
    {
        if (value.Length <= maxLength)
        {
            return value;
        }

        var length = char.IsHighSurrogate(value[maxLength - 1]) ? maxLength - 1 : maxLength;
        return value[..length];
    }

    private static string? TruncateOrNull(string? value, int maxLength) => value is null ? null : Truncate(value, maxLength);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "Batch of group {GroupId} fenced: {Topic}[{Partition}] is stored at offset {StoredNextOffset}; nothing of the batch was written")]
    private static partial void LogFenced(ILogger logger, string groupId, string topic, int partition, long storedNextOffset);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "Batch of group {GroupId} was already stored (all {Partitions} partitions at its next offsets): a retried commit that had succeeded")]
    private static partial void LogAlreadyStored(ILogger logger, string groupId, int partitions);
}
