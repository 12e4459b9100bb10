using static LogPipeline.Processor.Storage.StoreValues;

namespace LogPipeline.Processor.Storage;

/// <summary>Deletes what is past its retention, for the retention service.</summary>
public sealed class RetentionPurger(ProcessorStore store)
{
    /// <summary>Rows per DELETE of a purge, so no single statement holds locks for long.</summary>
    internal const int PurgeChunk = 10_000;

    private static readonly string[] AggregateTables =
        ["volume_minute", "http_status_minute", "latency_histogram_minute", "latency_minute", "pipeline_minute", "volume_hour", "latency_histogram_hour",
         "volume_5m", "latency_histogram_5m"];

    /// <summary>
    /// Deletes raw events with a timestamp before <paramref name="rawBeforeUtc"/>, dead letters
    /// rejected before it (a hostile stream of poison must not fill the store either), the hourly and
    /// minute error counts of raw events (<c>error_hour</c>, <c>error_minute</c>) with them, and aggregate rows (volume, HTTP status,
    /// latency histogram, latency, pipeline, and the hourly and five-minute volume and latency) of minutes before
    /// <paramref name="aggregatesBeforeUtc"/>, in chunks of <see cref="PurgeChunk"/> rows, each its
    /// own short transaction (a purge interrupted half way is simply continued by the next one).
    /// Error fingerprints, anomalies and offsets are kept.
    /// </summary>
    /// <remarks>
    /// Both cutoffs are taken back to the whole hour first (up to an hour more is kept): an hour row is
    /// kept or deleted with all of its minutes and raw events, so an answer read from hour rows stays the
    /// answer the minutes or raw events give, even at the retention's edge.
    /// </remarks>
    /// <returns>Raw events deleted, dead letters deleted, and aggregate rows deleted (<c>error_hour</c>'s and <c>error_minute</c>'s included).</returns>
    public async Task<(int RawDeleted, int DeadLettersDeleted, int AggregateRowsDeleted)> PurgeAsync(DateTime rawBeforeUtc, DateTime aggregatesBeforeUtc, CancellationToken ct)
    {
        var rawCutoff = HourOf(Utc(rawBeforeUtc));
        var aggregateCutoff = HourOf(Utc(aggregatesBeforeUtc));
        var raw = await PurgeTableAsync("log_events", "timestamp_utc", rawCutoff, ct).ConfigureAwait(false);
        var deadLetters = await PurgeTableAsync("dead_letters", "dead_lettered_at_utc", rawCutoff, ct).ConfigureAwait(false);
        var aggregates = await PurgeTableAsync("error_hour", "bucket_start_utc", rawCutoff, ct).ConfigureAwait(false);
        aggregates += await PurgeTableAsync("error_minute", "bucket_start_utc", rawCutoff, ct).ConfigureAwait(false);
        foreach (var table in AggregateTables)
        {
            aggregates += await PurgeTableAsync(table, "bucket_start_utc", aggregateCutoff, ct).ConfigureAwait(false);
        }

        return (raw, deadLetters, aggregates);
    }

    private static DateTime HourOf(DateTime utc) => BatchTables.HourOf(utc);

    private async Task<int> PurgeTableAsync(string table, string column, DateTime cutoff, CancellationToken ct)
    {
        var sql = store.Dialect.DeleteChunk(table, column, PurgeChunk);
        var total = 0;
        while (true)
        {
            var deleted = await store.RunAsync(async (connection, token) =>
            {
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.CommandText = sql;
                    AddParameter(command, "@cutoff", cutoff);
                    return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                }
            }, ct).ConfigureAwait(false);
            total += deleted;
            if (deleted < PurgeChunk)
            {
                return total;
            }
        }
    }
}
