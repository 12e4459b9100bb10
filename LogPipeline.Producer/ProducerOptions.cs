using LogPipeline.Producer.Generation;

namespace LogPipeline.Producer;

/// <summary>The <c>Producer</c> configuration section.</summary>
public sealed class ProducerOptions
{
    public const string SectionName = "Producer";

    /// <summary>Steady rate in events per second; 0 sends as fast as Kafka accepts.</summary>
    public double EventsPerSecond { get; set; } = 1000;

    /// <summary>How often a burst starts; zero turns bursts off.</summary>
    public TimeSpan BurstEvery { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a burst lasts.</summary>
    public TimeSpan BurstDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Rate multiplier during a burst.</summary>
    public double BurstFactor { get; set; } = 4;

    /// <summary>Stop after this many events (synthetic or replayed); 0 runs until stopped.</summary>
    public long MaxEvents { get; set; }

    /// <summary>Send the lines of this file (or of every file in this folder) unchanged instead of synthetic logs.</summary>
    public string? ReplayPath { get; set; }

    /// <summary>With <see cref="ReplayPath"/>: keep following the file as it grows, like <c>tail -F</c>.</summary>
    public bool Follow { get; set; }

    /// <summary>Service name (message key) for replayed lines; defaults to the file name without extension.</summary>
    public string? ReplayService { get; set; }

    /// <summary>Host name sent with replayed lines; defaults to this machine's name.</summary>
    public string? ReplayHost { get; set; }

    /// <summary>How often progress (rate and totals) is logged.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Stop the process when a finite source (MaxEvents, a replay without Follow) is done.</summary>
    public bool ExitWhenDone { get; set; } = true;

    public GeneratorOptions Generator { get; set; } = new();
}
