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
