using System.Globalization;

namespace LogPipeline.Benchmarks;

/// <summary>
/// Samples this process's resident set and the garbage collector's committed memory every 100 ms and
/// keeps the largest of each: the processor's peak, and how much of it is the managed heap (the rest
/// is native: librdkafka's fetch queues, the runtime, code).
/// </summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private long _peakResident;
    private long _peakManagedCommitted;

    public MemorySampler() => _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));

    public (long Resident, long ManagedCommitted) Peak
    {
        get
        {
            Sample();
            lock (_gate)
            {
                return (_peakResident, _peakManagedCommitted);
            }
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        var resident = ResidentBytes();
        var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
        lock (_gate)
        {
            _peakResident = Math.Max(_peakResident, resident);
            _peakManagedCommitted = Math.Max(_peakManagedCommitted, committed);
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
