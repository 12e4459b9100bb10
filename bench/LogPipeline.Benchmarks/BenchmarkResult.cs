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
    double JitSeconds,
    double BrokerCpuSeconds,
    double? ServerCpuSeconds,
    long AllocatedBytes,
    long PeakResidentBytes,
    StoreAloneResult StoreAlone)
{
    /// <summary>
    /// The processor's own CPU time per timed event (its host is the only thing in this process while it
    /// drains: the broker and the records' producer are another process): steadier than wall-clock
    /// rates on a busy machine, and the budget to beat (2 cores give 20 µs per event at 100,000 events/s).
    /// </summary>
    public double CpuMicrosecondsPerEvent => CpuSeconds * 1e6 / Events;

    /// <summary>
    /// Of <see cref="CpuMicrosecondsPerEvent"/>, the time the runtime spent compiling (tiered compilation
    /// of hot methods, mostly): a cost a processor pays once in its first minute, which on a busy machine
    /// lasts past any warm-up the 5 MiB-per-partition broker allows. Subtract it for the steady state.
    /// </summary>
    public double JitMicrosecondsPerEvent => JitSeconds * 1e6 / Events;

    /// <summary>The embedded broker's CPU time per timed event, in its own process: what a real cluster would spend elsewhere.</summary>
    public double BrokerCpuMicrosecondsPerEvent => BrokerCpuSeconds * 1e6 / Events;

    /// <summary>The MariaDB server's CPU time per timed event (null for SQLite): it shares the machine with the processor.</summary>
    public double? ServerCpuMicrosecondsPerEvent => ServerCpuSeconds * 1e6 / Events;

    /// <summary>Managed bytes allocated by the processor per timed event: what the garbage collector pays for.</summary>
    public double AllocatedBytesPerEvent => (double)AllocatedBytes / Events;

    public double EventsPerSecond => Events / Seconds;

    /// <summary>The pipeline's rate as a share of the store-alone ceiling: near 100 % only a cheaper store makes it faster.</summary>
    public double ShareOfStoreAlone => EventsPerSecond / StoreAlone.EventsPerSecond;

    /// <summary>Share of the timed draining the writer spent in store transactions: near 100 % means the store is the bottleneck.</summary>
    public double StoreBusyShare => WriteSeconds / Seconds;
}
