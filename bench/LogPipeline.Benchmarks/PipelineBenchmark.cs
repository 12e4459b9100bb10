using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using LogPipeline.Data;
using LogPipeline.Kafka.Embedded;
using LogPipeline.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LogPipeline.Benchmarks;

/// <summary>
/// One store's numbers. Rate, CPU, allocation and store share cover the timed backlog (without a
/// warm-up, CPU and allocation also include the processor's start-up).
/// </summary>
internal sealed record BenchmarkResult(
    BenchStore Store,
    int WarmUpEvents,
    int Events,
    double ProduceSeconds,
    double Seconds,
    double StartupSeconds,
    int LiveEvents,
    double LiveProduceRate,
    double P50Ms,
    double P99Ms,
    long Batches,
    double WriteSeconds,
    double CpuSeconds,
    double? ServerCpuSeconds,
    long AllocatedBytes,
    StoreAloneResult StoreAlone)
{
    /// <summary>
    /// This process's CPU time (processor host and embedded Kafka; not a MariaDB server's) per backlog
    /// event: steadier than wall-clock rates on a busy machine, and the budget to beat (2 cores give
    /// 20 µs per event at 100,000 events/s).
    /// </summary>
    public double CpuMicrosecondsPerEvent => CpuSeconds * 1e6 / Events;

    /// <summary>The MariaDB server's CPU time per timed event (null for SQLite): it shares the machine with the processor.</summary>
    public double? ServerCpuMicrosecondsPerEvent => ServerCpuSeconds * 1e6 / Events;

    /// <summary>Managed bytes allocated in this process per backlog event: what the garbage collector pays for.</summary>
    public double AllocatedBytesPerEvent => (double)AllocatedBytes / Events;

    public double EventsPerSecond => Events / Seconds;

    /// <summary>Share of the timed draining the writer spent in store transactions: near 100 % means the store is the bottleneck.</summary>
    public double StoreBusyShare => WriteSeconds / Seconds;
}

/// <summary>
/// Phase 1: a pre-produced backlog of W warm-up events followed by N timed ones, drained by a freshly
/// started processor into an empty store; the clock runs from the W-th event stored to the last.
/// Phase 2: live traffic at a fixed rate through the same processor, with the event-to-stored latency
/// the processor itself reports. Phase 3: the same rows through the store writer alone
/// (<see cref="StoreAlone"/>).
/// </summary>
/// <remarks>
/// The warm-up keeps one-off costs out of the timed part: in the first seconds of a cold start the
/// runtime's tiered compilation took about a quarter of the process's CPU samples (perf), a cost a
/// processor that runs for days pays once. <c>--warm-up 0</c> still times a cold start.
/// </remarks>
internal sealed class PipelineBenchmark(BenchmarkOptions options, TextWriter log)
{
    private const string RawTopic = "logs.raw";
    private const string DeadLetterTopic = "logs.deadletter";
    private const int RawPartitions = 128;
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(60);

    // The launcher's defaults suit tests (64 MiB buffer pool); a store taking a sustained insert load gets
    // a production-like server. Server settings, not product settings.
    private static readonly string[] MariaDbServerArguments = ["--innodb-buffer-pool-size=1G", "--innodb-log-file-size=256M"];

    public async Task<BenchmarkResult> RunAsync(BenchStore store)
    {
        Log($"[{store}] generating {options.WarmUp:N0} warm-up + {options.Events:N0} + {options.Rate * options.Seconds:N0} live events");
        var now = DateTimeOffset.UtcNow;
        var backlog = LogStream.Generate(options.WarmUp + options.Events, seed: 42, from: now.AddMinutes(-5), step: TimeSpan.FromMinutes(5) / (options.WarmUp + options.Events));
        var liveCount = options.Rate * options.Seconds;
        var live = LogStream.Generate(liveCount, seed: 43, from: now, step: TimeSpan.FromSeconds(1) / options.Rate);

        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic(RawTopic, RawPartitions);
        kafka.CreateTopic(DeadLetterTopic, 4);
        using var producer = LogStream.CreateProducer(kafka.BootstrapServers);
        var produced = backlog.ProduceAll(producer, RawTopic);
        var retained = LogStream.CountRetained(kafka.BootstrapServers, RawTopic, RawPartitions);
        if (retained != backlog.Count)
        {
            throw new InvalidOperationException($"Kafka holds {retained} of the {backlog.Count} records produced.");
        }

        Log($"[{store}] produced {backlog.Count:N0} records ({backlog.Bytes / 1e6:0.0} MB) in {produced.TotalSeconds:0.00} s; starting the processor");

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
        var app = ProcessorHost.Build(Settings(kafka.BootstrapServers, provider, connectionString));
        await using (app.ConfigureAwait(false))
        {
            using var stored = new StoredEventsListener(app.Services.GetRequiredService<IMeterFactory>());

            // Phase 1: throughput, timed from the warm-up's last event committed (or the first record
            // consumed, without a warm-up) to the last of the backlog committed.
            var started = Stopwatch.GetTimestamp();
            var serverCpu = mariaDb is null ? null : (Func<TimeSpan>)(() => mariaDb.ProcessorTime);
            var (cpuBefore, serverCpuBefore, allocatedBefore, writesBefore) = Snapshot(stored, serverCpu);
            await app.StartAsync().ConfigureAwait(false);
            long from = 0;
            if (options.WarmUp > 0)
            {
                from = await stored.WaitForStoredAsync(options.WarmUp, StallTimeout).ConfigureAwait(false);
                (cpuBefore, serverCpuBefore, allocatedBefore, writesBefore) = Snapshot(stored, serverCpu);
            }

            var sampler = options.AllocationTypes ? new AllocationSampler() : null;
            var done = await stored.WaitForStoredAsync(backlog.Count, StallTimeout).ConfigureAwait(false);
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            var serverCpuSeconds = serverCpu is null ? (double?)null : (serverCpu() - serverCpuBefore).TotalSeconds;
            var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
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
            var (batches, writeSeconds) = stored.Writes;
            (batches, writeSeconds) = (batches - writesBefore.Batches, writeSeconds - writesBefore.WriteSeconds);
            var storeQueries = new StoreQueries(provider, connectionString);
            var rows = await storeQueries.RawCountAsync().ConfigureAwait(false);
            if (rows != backlog.Count)
            {
                throw new InvalidOperationException($"The store holds {rows} raw rows; {backlog.Count} were produced.");
            }

            Log($"[{store}] stored {rows:N0} rows; the timed {options.Events:N0} in {seconds:0.00} s (first record consumed after {startup:0.00} s; {batches:N0} transactions taking {writeSeconds:0.00} s in all); live traffic at {options.Rate:N0}/s for {options.Seconds} s");

            // Phase 2: latency under live traffic, Kafka record timestamp (set when produced) to commit.
            stored.StartKeepingLatencies();
            var sending = live.ProducePaced(producer, RawTopic, options.Rate);
            await stored.WaitForStoredAsync(backlog.Count + (long)liveCount, StallTimeout).ConfigureAwait(false);
            var latencies = stored.TakeLatencies();
            Array.Sort(latencies);
            await app.StopAsync().ConfigureAwait(false);

            // Phase 3: the store alone, as many rows per transaction as the timed part committed.
            var rowsPerTransaction = (int)Math.Max(1, Math.Round((double)options.Events / Math.Max(1, batches)));
            var target = new StoreQueries(provider, mariaDb is null ? $"Data Source={Path.Combine(temp.Path, "store-alone.db")}" : mariaDb.CreateDatabase("store_alone"));
            var alone = await StoreAlone.RunAsync(store, storeQueries, target, options.WarmUp, rowsPerTransaction, serverCpu).ConfigureAwait(false);
            Log($"[{store}] store alone: {alone.Events:N0} rows in {alone.Seconds:0.00} s, {rowsPerTransaction:N0} per transaction");

            return new BenchmarkResult(store, options.WarmUp, options.Events, produced.TotalSeconds, seconds, startup,
                liveCount, liveCount / sending.TotalSeconds, Percentile(latencies, 0.50) * 1000, Percentile(latencies, 0.99) * 1000,
                batches, writeSeconds, cpuSeconds, serverCpuSeconds, allocated, alone);
        }
    }

    /// <summary>This process's and the MariaDB server's CPU time, the allocation and the writer's totals where the timed part starts.</summary>
    private static (TimeSpan Cpu, TimeSpan ServerCpu, long Allocated, (long Batches, double WriteSeconds) Writes) Snapshot(
        StoredEventsListener stored, Func<TimeSpan>? serverCpu) =>
        (Process.GetCurrentProcess().TotalProcessorTime, serverCpu?.Invoke() ?? default, GC.GetTotalAllocatedBytes(), stored.Writes);

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

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    private void Log(FormattableString message) => log.WriteLine(message.ToString(CultureInfo.InvariantCulture));
}
