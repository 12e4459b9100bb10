using System.Diagnostics;
using System.Globalization;
using LogPipeline.Data;
using LogPipeline.Formats;
using LogPipeline.Processor.Storage;
using LogPipeline.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LogPipeline.Benchmarks;

/// <summary>
/// Phase 3: the rows the pipeline stored, read back in the order it inserted them and written again
/// by the processor's own <see cref="BatchWriter"/> into an empty store with the same schema: as many
/// rows per transaction as the pipeline committed, each transaction fenced by its partitions' offsets
/// as in the pipeline, but without Kafka, parsing or aggregates. What the store takes this way on this
/// machine is the ceiling for the whole pipeline, whatever the code before the store does.
/// </summary>
internal static class StoreAlone
{
    // The writer's own column list: ToRow reads them back by name.
    private static readonly string Columns = string.Join(", ", BatchWriter.EventColumns);

    /// <summary>Copies <paramref name="source"/>'s raw events into <paramref name="target"/> (empty, no schema yet); times the rows after the first <paramref name="warmUp"/>.</summary>
    public static async Task<StoreAloneResult> RunAsync(
        BenchStore store, StoreQueries source, StoreQueries target, int warmUp, int rowsPerTransaction, Func<TimeSpan>? serverCpu)
    {
        var rows = (await source.RowsAsync($"SELECT {Columns} FROM log_events ORDER BY id").ConfigureAwait(false)).Select(ToRow).ToList();
        var connections = new StoreConnectionFactory(target.Provider, target.ConnectionString);
        var connection = await connections.OpenAsync().ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await new SchemaMigrator(target.Provider).MigrateAsync(connection).ConfigureAwait(false);
        }

        var writer = new BatchWriter(
            new ProcessorStore(connections, Options.Create(new StoreResilienceOptions()), TimeProvider.System, NullLogger<ProcessorStore>.Instance),
            NullLogger<BatchWriter>.Instance);
        var nextOffsets = new Dictionary<(string Topic, int Partition), long>();
        var timedFrom = -1;
        long started = 0;
        TimeSpan cpuBefore = default, serverBefore = default;
        for (var i = 0; i < rows.Count; i += rowsPerTransaction)
        {
            if (timedFrom < 0 && i >= warmUp)
            {
                (timedFrom, started, cpuBefore, serverBefore) = (i, Stopwatch.GetTimestamp(), Process.GetCurrentProcess().TotalProcessorTime, serverCpu?.Invoke() ?? default);
            }

            var batch = new StoreBatch { GroupId = "benchmark-store-alone" };
            batch.Events.AddRange(rows.GetRange(i, Math.Min(rowsPerTransaction, rows.Count - i)));
            foreach (var partition in batch.Events.GroupBy(e => (Topic: e.SourceTopic, Partition: e.SourcePartition)))
            {
                var next = partition.Max(e => e.SourceOffset) + 1;
                batch.Offsets.Add(new PartitionProgress(partition.Key.Topic, partition.Key.Partition,
                    nextOffsets.GetValueOrDefault(partition.Key, PartitionProgress.NoOffset), next, null));
                nextOffsets[partition.Key] = next;
            }

            if ((await writer.WriteAsync(batch, CancellationToken.None).ConfigureAwait(false)).Count > 0)
            {
                throw new InvalidOperationException("A store-alone batch was fenced: the target store was not empty.");
            }
        }

        if (timedFrom < 0)
        {
            throw new InvalidOperationException($"Nothing to time: the store held {rows.Count} rows, the warm-up is {warmUp}.");
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var server = serverCpu is null ? (double?)null : (serverCpu() - serverBefore).TotalSeconds;
        var copied = await target.RawCountAsync().ConfigureAwait(false);
        if (copied != rows.Count)
        {
            throw new InvalidOperationException($"The store-alone copy holds {copied} raw rows; {rows.Count} were written.");
        }

        return new StoreAloneResult(store, rows.Count - timedFrom, rowsPerTransaction, seconds, cpu, server);
    }

    private static LogEventRow ToRow(StoreRow r) => new()
    {
        SourceTopic = r.Text("source_topic"),
        SourcePartition = Convert.ToInt32(r["source_partition"], CultureInfo.InvariantCulture),
        SourceOffset = r.Long("source_offset"),
        TimestampUtc = r.Time("timestamp_utc"),
        UtcOffsetMinutes = Convert.ToInt16(r["utc_offset_minutes"], CultureInfo.InvariantCulture),
        ReceivedAtUtc = r.Time("received_at_utc"),
        Service = r.Text("service"),
        Host = r.Text("host"),
        Level = (LogLevel)Convert.ToByte(r["level"], CultureInfo.InvariantCulture),
        Message = r.Text("message"),
        Format = Convert.ToByte(r["format"], CultureInfo.InvariantCulture),
        HttpMethod = r["http_method"] as string,
        HttpPath = r["http_path"] as string,
        HttpStatus = r["http_status"] is DBNull ? null : Convert.ToInt16(r["http_status"], CultureInfo.InvariantCulture),
        HttpDurationMs = r["http_duration_ms"] is DBNull ? null : Convert.ToDouble(r["http_duration_ms"], CultureInfo.InvariantCulture),
        HttpBytes = r["http_bytes"] is DBNull ? null : Convert.ToInt64(r["http_bytes"], CultureInfo.InvariantCulture),
        TraceId = r["trace_id"] as string,
        SpanId = r["span_id"] as string,
        Fingerprint = r["fingerprint"] is DBNull ? null : Convert.ToInt64(r["fingerprint"], CultureInfo.InvariantCulture),
        AttributesJson = r["attributes_json"] as string,
        IsLate = Convert.ToBoolean(r["is_late"], CultureInfo.InvariantCulture),
    };
}
