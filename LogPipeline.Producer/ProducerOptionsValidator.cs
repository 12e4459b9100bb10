using Microsoft.Extensions.Options;

namespace LogPipeline.Producer;

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
