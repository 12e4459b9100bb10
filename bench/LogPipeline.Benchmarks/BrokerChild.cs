using System.Diagnostics;
using System.Globalization;

namespace LogPipeline.Benchmarks;

/// <summary>The parent's side of <see cref="BrokerProcess"/>: starts it, reads its answers, measures its CPU.</summary>
internal sealed class BrokerChild : IDisposable
{
    private readonly Process _process;

    private BrokerChild(Process process, string bootstrapServers, int records, long bytes, double produceSeconds)
    {
        _process = process;
        BootstrapServers = bootstrapServers;
        Records = records;
        Bytes = bytes;
        ProduceSeconds = produceSeconds;
    }

    public string BootstrapServers { get; }

    public int Records { get; }

    public long Bytes { get; }

    public double ProduceSeconds { get; }

    /// <summary>The broker process's CPU time so far (the mock cluster, plus the producer while it sends).</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Starts this program again as the broker, which produces <paramref name="backlog"/> records before answering.</summary>
    public static BrokerChild Start(int backlog)
    {
        // Run as an app host (bin/.../LogPipeline.Benchmarks) or as 'dotnet LogPipeline.Benchmarks.dll'.
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(BrokerProcess).Assembly.Location);
        }

        info.ArgumentList.Add(BrokerProcess.Argument);
        info.ArgumentList.Add(backlog.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(info) ?? throw new InvalidOperationException("The broker process did not start.");
        try
        {
            var ready = ReadAnswer(process, "ready");
            return new BrokerChild(process, ready[1], int.Parse(ready[2], CultureInfo.InvariantCulture),
                long.Parse(ready[3], CultureInfo.InvariantCulture), double.Parse(ready[4], CultureInfo.InvariantCulture));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Produces <paramref name="rate"/> records/s for <paramref name="seconds"/> s; returns the records and the sending time.</summary>
    public Task<(int Records, double Seconds)> ProduceLiveAsync(int rate, int seconds) => Task.Run(() =>
    {
        _process.StandardInput.WriteLine(string.Create(CultureInfo.InvariantCulture, $"live {rate} {seconds}"));
        _process.StandardInput.Flush();
        var done = ReadAnswer(_process, "live-done");
        return (int.Parse(done[1], CultureInfo.InvariantCulture), double.Parse(done[2], CultureInfo.InvariantCulture));
    });

    public void Dispose()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static string[] ReadAnswer(Process process, string expected)
    {
        var line = process.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException($"The broker process exited (code {(process.WaitForExit(5000) ? process.ExitCode : -1)}) before answering '{expected}'; its error output is above.");
        var parts = line.Split(' ');
        return parts[0] == expected ? parts : throw new InvalidOperationException($"The broker process answered '{line}', not '{expected}'.");
    }
}
