using Microsoft.Extensions.Options;

namespace LogPipeline.Api.Infrastructure;

/// <summary>Names each bad setting of <see cref="ApiOptions"/> at start, instead of failing every tail request.</summary>
internal sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    // Task.Delay's longest wait.
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(int.MaxValue - 1);

    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        var failures = new List<string>();
        if (options.TailPollInterval <= TimeSpan.Zero || options.TailPollInterval > MaxDelay)
        {
            failures.Add($"Api:TailPollInterval must be positive and at most {MaxDelay}; got {options.TailPollInterval}.");
        }

        if (options.TailKeepAliveInterval <= TimeSpan.Zero)
        {
            failures.Add($"Api:TailKeepAliveInterval must be positive; got {options.TailKeepAliveInterval}.");
        }

        if (options.TailBatchSize < 1)
        {
            failures.Add($"Api:TailBatchSize must be at least 1; got {options.TailBatchSize}.");
        }

        if (options.CountCap is < 1 or > 10_000_000)
        {
            failures.Add($"Api:CountCap must be from 1 to 10000000; got {options.CountCap}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
