using static LogPipeline.Processor.Storage.StoreValues;

namespace LogPipeline.Processor.Storage;

/// <summary>Deletes what is past its retention, for the retention service.</summary>
public sealed class RetentionPurger(ProcessorStore store)
{
    /// <summary>Rows per DELETE of a purge, so no single statement holds locks for long.</summary>
    internal const int PurgeChunk = 10_000;

    private static readonly string[] AggregateTables = ["volume_minute", "http_status_minute", "latency_histogram_minute", "latency_minute", "pipeline_minute"];

    /// <summary>
    /// Deletes raw events with a timestamp before <paramref name="rawBeforeUtc"/>, dead letters
    /// rejected before it (a hostile stream of poison must not fill the store either), and aggregate
    /// rows (volume, HTTP status, latency histogram, latency, pipeline) of minutes before
    /// <paramref name="aggregatesBeforeUtc"/>, in chunks of <see cref="PurgeChunk"/> rows, each its
    /// own short transaction (a purge interrupted half way is simply continued by the next one).
    /// Error fingerprints, anomalies and offsets are kept.
    /// </summary>
    public async Task<(int RawDeleted, int DeadLettersDeleted, int AggregateRowsDeleted)> PurgeAsync(DateTime rawBeforeUtc, DateTime aggregatesBeforeUtc, CancellationToken ct)
    {
        var raw = await PurgeTableAsync("log_events", "timestamp_utc", Utc(rawBeforeUtc), ct).ConfigureAwait(false);
        var deadLetters = await PurgeTableAsync("dead_letters", "dead_lettered_at_utc", Utc(rawBeforeUtc), ct).ConfigureAwait(false);
        var aggregates = 0;
        foreach (var table in AggregateTables)
        {
            aggregates += await PurgeTableAsync(table, "bucket_start_utc", Utc(aggregatesBeforeUtc), ct).ConfigureAwait(false);
        }

        return (raw, deadLetters, aggregates);
    }

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
