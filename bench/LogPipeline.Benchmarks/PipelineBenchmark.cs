using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime;
using LogPipeline.Data;
using LogPipeline.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LogPipeline.Benchmarks;

/// <summary>
/// Phase 1: a pre-produced backlog of W warm-up events followed by N timed ones, drained by a freshly
/// started processor into an empty store; the clock runs from the W-th event stored to the last.
/// Phase 2: live traffic at half the rate just measured through the same processor, with the
/// event-to-stored latency the processor itself reports. Phase 3: the same rows through the store writer alone
/// (<see cref="StoreAlone"/>).
/// </summary>
/// <remarks>
/// The warm-up keeps one-off costs out of the timed part: in the first seconds of a cold start the
/// runtime's tiered compilation took about a quarter of the process's CPU samples (perf), a cost a
/// processor that runs for days pays once. <c>--warm-up 0</c> still times a cold start.
/// </remarks>
internal sealed class PipelineBenchmark(BenchmarkOptions options, TextWriter log)
{
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(60);

    // The launcher's defaults suit tests (64 MiB buffer pool); a store taking a sustained insert load gets
    // a production-like server. Server settings, not product settings.
    private static readonly string[] MariaDbServerArguments = ["--innodb-buffer-pool-size=1G", "--innodb-log-file-size=256M"];

    public async Task<BenchmarkResult> RunAsync(BenchStore store)
    {
        Log($"[{store}] starting the broker process; it generates and produces {options.WarmUp:N0} warm-up + {options.Events:N0} timed events");
        using var broker = BrokerChild.Start(options.WarmUp + options.Events);
        Log($"[{store}] produced {broker.Records:N0} records ({broker.Bytes / 1e6:0.0} MB) in {broker.ProduceSeconds:0.00} s; starting the processor");

        using var temp = new TempFolder();
        await using var mariaDb = store == BenchStore.MariaDb ? new MariaDbServer(MariaDbServerArguments) : null;
        string connectionString;
        if (mariaDb is null)
        {
            connectionString = $"Data Source={Path.Combine(temp.Path, "bench.db")}";
        }
        else
        {
            await mariaDb.InitializeAsync().ConfigureAwait(false);
            connectionString = mariaDb.CreateDatabase("bench");
        }

        var provider = store == BenchStore.MariaDb ? StoreProvider.MariaDb : StoreProvider.Sqlite;
        var app = ProcessorHost.Build(Settings(broker.BootstrapServers, provider, connectionString));
        await using (app.ConfigureAwait(false))
        {
            using var stored = new StoredEventsListener(app.Services.GetRequiredService<IMeterFactory>());

            // Phase 1: throughput, timed from the warm-up's last event committed (or the first record
            // consumed, without a warm-up) to the last of the backlog committed.
            var started = Stopwatch.GetTimestamp();
            var serverCpu = mariaDb is null ? null : (Func<TimeSpan>)(() => mariaDb.ProcessorTime);
            var before = Snapshot(stored, broker, serverCpu);
            // A store measured after another in this process starts from the memory the first left
            // behind (its heap is not returned by itself): hand it back, or the peak is the first's.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            using var memory = new MemorySampler();
            await app.StartAsync().ConfigureAwait(false);
            long from = 0;
            if (options.WarmUp > 0)
            {
                from = await stored.WaitForStoredAsync(options.WarmUp, StallTimeout).ConfigureAwait(false);
                before = Snapshot(stored, broker, serverCpu);
            }

            var sampler = options.AllocationTypes ? new AllocationSampler() : null;
            var done = await stored.WaitForStoredAsync(broker.Records, StallTimeout).ConfigureAwait(false);
            var after = Snapshot(stored, broker, serverCpu);
            var (peakRss, peakManaged) = memory.Peak;
            if (sampler is not null)
            {
                sampler.Dispose();
                Log($"[{store}] most allocated types while draining the timed backlog (sampled):");
                foreach (var (type, share, bytes) in sampler.Top(15))
                {
                    Log($"  {share,6:P1} {bytes / 1e6,8:0.0} MB  {type}");
                }
            }

            var startup = Stopwatch.GetElapsedTime(started, stored.FirstConsumedAt).TotalSeconds;
            var seconds = Stopwatch.GetElapsedTime(from == 0 ? stored.FirstConsumedAt : from, done).TotalSeconds;
            var batches = after.Writes.Batches - before.Writes.Batches;
            var writeSeconds = after.Writes.WriteSeconds - before.Writes.WriteSeconds;
            var storeQueries = new StoreQueries(provider, connectionString);
            var rows = await storeQueries.RawCountAsync().ConfigureAwait(false);
            if (rows != broker.Records)
            {
                throw new InvalidOperationException($"The store holds {rows} raw rows; {broker.Records} were produced.");
            }

            // Phase 2: latency under live traffic at half the rate just measured (or --rate), Kafka
            // record timestamp (set when produced) to commit: a processor with headroom, as one is run.
            var rate = options.Rate ?? (int)Math.Max(1, options.Events / seconds / 2);
            Log($"[{store}] stored {rows:N0} rows; the timed {options.Events:N0} in {seconds:0.00} s (first record consumed after {startup:0.00} s; {batches:N0} transactions taking {writeSeconds:0.00} s in all; peak RSS {peakRss / 1048576.0:N0} MB, of which managed heap {peakManaged / 1048576.0:N0} MB); live traffic at {rate:N0}/s for {options.Seconds} s");
            stored.StartKeepingLatencies();
            var (liveCount, liveSeconds) = await broker.ProduceLiveAsync(rate, options.Seconds).ConfigureAwait(false);
            await stored.WaitForStoredAsync(broker.Records + (long)liveCount, StallTimeout).ConfigureAwait(false);
            var latencies = stored.TakeLatencies();
            Array.Sort(latencies);
            await app.StopAsync().ConfigureAwait(false);

            // Phase 3: the store alone, as many rows per transaction as the timed part committed.
            var rowsPerTransaction = (int)Math.Max(1, Math.Round((double)options.Events / Math.Max(1, batches)));
            var target = new StoreQueries(provider, mariaDb is null ? $"Data Source={Path.Combine(temp.Path, "store-alone.db")}" : mariaDb.CreateDatabase("store_alone"));
            var alone = await StoreAlone.RunAsync(store, storeQueries, target, options.WarmUp, rowsPerTransaction, serverCpu).ConfigureAwait(false);
            Log($"[{store}] store alone: {alone.Events:N0} rows in {alone.Seconds:0.00} s, {rowsPerTransaction:N0} per transaction");

            return new BenchmarkResult(store, options.WarmUp, options.Events, broker.ProduceSeconds, seconds, startup,
                liveCount, liveCount / liveSeconds, Percentile(latencies, 0.50) * 1000, Percentile(latencies, 0.99) * 1000,
                batches, writeSeconds,
                (after.Cpu - before.Cpu).TotalSeconds,
                (after.Jit - before.Jit).TotalSeconds,
                (after.BrokerCpu - before.BrokerCpu).TotalSeconds,
                serverCpu is null ? null : (after.ServerCpu - before.ServerCpu).TotalSeconds,
                after.Allocated - before.Allocated,
                peakRss,
                alone);
        }
    }

    /// <summary>The processor's, the broker's and the MariaDB server's CPU time, the allocation and the writer's totals at one moment.</summary>
    private static Measures Snapshot(StoredEventsListener stored, BrokerChild broker, Func<TimeSpan>? serverCpu) =>
        new(Process.GetCurrentProcess().TotalProcessorTime, JitInfo.GetCompilationTime(), broker.ProcessorTime, serverCpu?.Invoke() ?? default, GC.GetTotalAllocatedBytes(), stored.Writes);

    private Dictionary<string, string?> Settings(string bootstrapServers, StoreProvider provider, string connectionString)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectionStrings:kafka"] = bootstrapServers,
            ["Store:Provider"] = provider.ToString(),
            ["ConnectionStrings:logsdb"] = connectionString,
            // The embedded cluster hands partitions to a new group member only after this (environment notes).
            ["Kafka:Consumer:session.timeout.ms"] = "6000",
            // A deep local fetch queue: consuming from the embedded cluster is about 2.5 times faster with it.
            ["Kafka:Consumer:queued.min.messages"] = "1000000",
            // The table is the output; the host's own information lines would interleave with it.
            ["Logging:LogLevel:Default"] = "Warning",
            // Synthetic incidents make anomalies by design: not news here.
            ["Logging:LogLevel:LogPipeline.Processor.WindowCloser"] = "Error",
        };
        foreach (var (key, value) in options.ProcessorSettings)
        {
            settings[key] = value;
        }

        return settings;
    }

    private readonly record struct Measures(TimeSpan Cpu, TimeSpan Jit, TimeSpan BrokerCpu, TimeSpan ServerCpu, long Allocated, (long Batches, double WriteSeconds) Writes);

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    private void Log(FormattableString message) => log.WriteLine(message.ToString(CultureInfo.InvariantCulture));
}
