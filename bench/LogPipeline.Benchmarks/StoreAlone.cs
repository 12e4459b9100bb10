using System.Diagnostics;
using System.Globalization;
using LogPipeline.Data;
using LogPipeline.Formats;
using LogPipeline.Processor.Storage;
using LogPipeline.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LogPipeline.Benchmarks;

/// <summary>The store taking the raw events alone. Rate and CPU cover the rows after the warm-up's.</summary>
internal sealed record StoreAloneResult(BenchStore Store, int Events, int RowsPerTransaction, double Seconds, double CpuSeconds, double? ServerCpuSeconds)
{
    public double EventsPerSecond => Events / Seconds;

    /// <summary>This process's CPU time per event: the writer binding values and, for SQLite, the database engine itself.</summary>
    public double CpuMicrosecondsPerEvent => CpuSeconds * 1e6 / Events;

    /// <summary>The MariaDB server's CPU time per event (null for SQLite, which runs inside this process).</summary>
    public double? ServerCpuMicrosecondsPerEvent => ServerCpuSeconds * 1e6 / Events;
}

/// <summary>
/// Phase 3: the rows the pipeline stored, read back in the order it inserted them and written again
/// by the processor's own <see cref="BatchWriter"/> into an empty store with the same schema: as many
/// rows per transaction as the pipeline committed, each transaction fenced by its partitions' offsets
/// as in the pipeline, but without Kafka, parsing or aggregates. What the store takes this way on this
/// machine is the ceiling for the whole pipeline, whatever the code before the store does.
/// </summary>
internal static class StoreAlone
{
    // The writer's own column list, in its order: ToRow reads them back by position.
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

    private static LogEventRow ToRow(object[] r) => new()
    {
        SourceTopic = (string)r[0],
        SourcePartition = Convert.ToInt32(r[1], CultureInfo.InvariantCulture),
        SourceOffset = Convert.ToInt64(r[2], CultureInfo.InvariantCulture),
        TimestampUtc = StoreQueries.Time(r[3]),
        UtcOffsetMinutes = Convert.ToInt16(r[4], CultureInfo.InvariantCulture),
        ReceivedAtUtc = StoreQueries.Time(r[5]),
        Service = (string)r[6],
        Host = (string)r[7],
        Level = (LogLevel)Convert.ToByte(r[8], CultureInfo.InvariantCulture),
        Message = (string)r[9],
        Format = Convert.ToByte(r[10], CultureInfo.InvariantCulture),
        HttpMethod = r[11] as string,
        HttpPath = r[12] as string,
        HttpStatus = r[13] is DBNull ? null : Convert.ToInt16(r[13], CultureInfo.InvariantCulture),
        HttpDurationMs = r[14] is DBNull ? null : Convert.ToDouble(r[14], CultureInfo.InvariantCulture),
        HttpBytes = r[15] is DBNull ? null : Convert.ToInt64(r[15], CultureInfo.InvariantCulture),
        TraceId = r[16] as string,
        SpanId = r[17] as string,
        Fingerprint = r[18] is DBNull ? null : Convert.ToInt64(r[18], CultureInfo.InvariantCulture),
        AttributesJson = r[19] as string,
        IsLate = Convert.ToBoolean(r[20], CultureInfo.InvariantCulture),
    };
}
