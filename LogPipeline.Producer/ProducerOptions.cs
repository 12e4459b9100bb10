using LogPipeline.Producer.Generation;
using Microsoft.Extensions.Options;

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

/// <summary>Checks every option at start, so a bad value stops the producer with a sentence, not a stack trace.</summary>
public sealed class ProducerOptionsValidator : IValidateOptions<ProducerOptions>
{
    public ValidateOptionsResult Validate(string? name, ProducerOptions options)
    {
        var failures = new List<string>();
        if (!double.IsFinite(options.EventsPerSecond) || options.EventsPerSecond < 0)
        {
            failures.Add($"Producer:EventsPerSecond must be 0 (unlimited) or a positive number; got {options.EventsPerSecond}.");
        }

        if (options.BurstEvery < TimeSpan.Zero)
        {
            failures.Add($"Producer:BurstEvery must not be negative; got {options.BurstEvery}.");
        }

        if (options.BurstEvery > TimeSpan.Zero && (options.BurstDuration <= TimeSpan.Zero || options.BurstDuration > options.BurstEvery))
        {
            failures.Add($"Producer:BurstDuration must be positive and at most Producer:BurstEvery ({options.BurstEvery}); got {options.BurstDuration}.");
        }

        if (!double.IsFinite(options.BurstFactor) || options.BurstFactor < 1)
        {
            failures.Add($"Producer:BurstFactor must be at least 1; got {options.BurstFactor}.");
        }

        if (options.MaxEvents < 0)
        {
            failures.Add($"Producer:MaxEvents must be 0 (no limit) or positive; got {options.MaxEvents}.");
        }

        if (options.ProgressInterval <= TimeSpan.Zero)
        {
            failures.Add($"Producer:ProgressInterval must be positive; got {options.ProgressInterval}.");
        }

        if (!string.IsNullOrEmpty(options.ReplayPath) && !File.Exists(options.ReplayPath) && !Directory.Exists(options.ReplayPath))
        {
            failures.Add($"Producer:ReplayPath '{options.ReplayPath}' is neither a file nor a folder.");
        }

        if (options.Follow && string.IsNullOrEmpty(options.ReplayPath))
        {
            failures.Add("Producer:Follow needs Producer:ReplayPath (the file to follow).");
        }

        if (options.Follow && Directory.Exists(options.ReplayPath))
        {
            failures.Add("Producer:Follow follows one file; Producer:ReplayPath is a folder.");
        }

        failures.AddRange(options.Generator.Validate().Select(static p => "Producer:Generator: " + p));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
