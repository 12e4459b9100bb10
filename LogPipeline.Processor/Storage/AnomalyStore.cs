using LogPipeline.Data;
using static LogPipeline.Processor.Storage.StoreValues;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// The window closer's queries: per-minute error counts from <c>volume_minute</c>, and the
/// <c>anomalies</c> it opens, updates and ends.
/// </summary>
public sealed class AnomalyStore(ProcessorStore store)
{
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
        return await store.RunAsync(async (connection, token) =>
        {
            var transaction = await store.Dialect.BeginAsync(connection, token).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.Transaction = transaction;
                    command.CommandText = "SELECT id FROM anomalies WHERE service = @service AND ended_at_utc IS NULL AND kind = @kind " +
                        $"ORDER BY id LIMIT 1{store.Dialect.ForUpdate}";
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
                    AddParameter(command, "@updated", store.UtcNow);
                    var id = ToInt64(await command.ExecuteScalarAsync(token).ConfigureAwait(false));
                    await transaction.CommitAsync(token).ConfigureAwait(false);
                    return id;
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
        var affected = await store.RunAsync(async (connection, token) =>
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = "UPDATE anomalies SET observed = @observed, expected = @expected, ended_at_utc = @ended, updated_at_utc = @updated WHERE id = @id";
                AddParameter(command, "@observed", observed);
                AddParameter(command, "@expected", expected);
                AddParameter(command, "@ended", UtcOrNull(endedAtUtc));
                AddParameter(command, "@updated", store.UtcNow);
                AddParameter(command, "@id", id);
                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
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
        await store.RunAsync(async (connection, token) =>
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
                            Observed = ToDouble(reader.GetValue(5)),
                            Expected = ToDouble(reader.GetValue(6)),
                            UpdatedAtUtc = ReadUtc(reader, 7),
                        });
                    }
                }

                return (IReadOnlyList<Anomaly>)result;
            }
        }, ct).ConfigureAwait(false);

    /// <summary>
    /// Events and errors (level error or worse) per minute and service in
    /// [<paramref name="fromMinuteUtc"/>, <paramref name="toMinuteUtc"/>), from <c>volume_minute</c>,
    /// ordered by minute and service.
    /// </summary>
    public async Task<IReadOnlyList<(DateTime Minute, string Service, long Total, long Errors)>> ReadErrorCountsAsync(
        DateTime fromMinuteUtc, DateTime toMinuteUtc, CancellationToken ct) =>
        await store.RunAsync(async (connection, token) =>
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = "SELECT bucket_start_utc, service, SUM(count), SUM(CASE WHEN level >= @error THEN count ELSE 0 END) " +
                    "FROM volume_minute WHERE bucket_start_utc >= @from AND bucket_start_utc < @to " +
                    "GROUP BY bucket_start_utc, service ORDER BY bucket_start_utc, service";
                AddParameter(command, "@error", (byte)Formats.LogLevel.Error);
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
        }, ct).ConfigureAwait(false);
}
