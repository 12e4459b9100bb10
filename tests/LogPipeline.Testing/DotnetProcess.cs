using System.Diagnostics;

namespace LogPipeline.Testing;

/// <summary>Starts one of our built apps (a dll in the test output) as its own OS process, its console output appended to a log file.</summary>
public static class DotnetProcess
{
    public static Process Start(string dll, IEnumerable<string> arguments, IDictionary<string, string?> settings, string logPath)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(logPath)!,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}");
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        // Closed when both streams have ended, not when the process has exited: its last lines (the
        // error it stopped with) can still be in the pipe then, and were lost.
        var open = 2;
        void OnLine(string? line)
        {
            if (line is not null)
            {
                Write(log, line);
            }
            else if (Interlocked.Decrement(ref open) == 0)
            {
                lock (log)
                {
                    log.Dispose();
                }
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Write(StreamWriter log, string line)
    {
        lock (log)
        {
            log.WriteLine(line);
        }
    }
}
