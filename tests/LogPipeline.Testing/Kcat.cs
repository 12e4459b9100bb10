using System.Diagnostics;

namespace LogPipeline.Testing;

/// <summary>kcat, an independent Kafka client (Debian's kcat), run to check what our clients and brokers do.</summary>
public static class Kcat
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs kcat with these arguments and returns its standard output; a failure throws with kcat's error.</summary>
    public static async Task<string> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("kcat") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("kcat is not installed: apt-get install kcat");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Timeout);
        return process.ExitCode == 0 ? await output : throw new InvalidOperationException("kcat failed: " + await error);
    }
}
