using System.Globalization;

namespace LogPipeline.Benchmarks;

/// <summary>
/// Samples this process's resident set and the garbage collector's committed memory every 100 ms and
/// keeps the largest of each: the processor's peak, and how much of it is the managed heap (the rest
/// is native: librdkafka's fetch queues, the runtime, code).
/// </summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly Timer timer;
    private readonly Lock gate = new();
    private long peakResident;
    private long peakManagedCommitted;

    public MemorySampler() => timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));

    public (long Resident, long ManagedCommitted) Peak
    {
        get
        {
            Sample();
            lock (gate)
            {
                return (peakResident, peakManagedCommitted);
            }
        }
    }

    public void Dispose() => timer.Dispose();

    private void Sample()
    {
        var resident = ResidentBytes();
        var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
        lock (gate)
        {
            peakResident = Math.Max(peakResident, resident);
            peakManagedCommitted = Math.Max(peakManagedCommitted, committed);
        }
    }

    private static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
