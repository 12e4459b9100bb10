using System.Diagnostics;

namespace LogPipeline.Tests.Infrastructure;

/// <summary>The processor as its own OS process (the built LogPipeline.Processor.dll), so a test can kill it hard.</summary>
public sealed class ProcessorProcess : IDisposable
{
    private readonly Process process;

    private ProcessorProcess(Process process, string logPath)
    {
        this.process = process;
        LogPath = logPath;
    }

    /// <summary>Where its console output goes, for diagnosing a failed test.</summary>
    public string LogPath { get; }

    public bool HasExited => process.HasExited;

    public static ProcessorProcess Start(IDictionary<string, string?> settings, string logPath)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(logPath)!,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "LogPipeline.Processor.dll"));
        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the processor");
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ProcessorProcess(process, logPath);
    }

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed.</summary>
    public void KillHard()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            KillHard();
        }

        process.Dispose();
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }
}
