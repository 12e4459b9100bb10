using System.Diagnostics;
using System.Net;

namespace LogPipeline.Testing;

/// <summary>The processor as its own OS process (the built LogPipeline.Processor.dll), so a test can kill it hard.</summary>
public sealed class ProcessorProcess : IDisposable
{
    private readonly Process _process;

    private ProcessorProcess(Process process, string logPath)
    {
        _process = process;
        LogPath = logPath;
    }

    /// <summary>Where its console output goes, for diagnosing a failed test.</summary>
    public string LogPath { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once it has exited (139 is a SIGSEGV), else null.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for it to exit, then for its last output to reach the log
    /// (the output is copied asynchronously: <see cref="HasExited"/> can be true before it is all there).
    /// </summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }

        _process.WaitForExit();
        return true;
    }

    public static ProcessorProcess Start(IDictionary<string, string?> settings, string logPath, int port = 0)
    {
        var process = DotnetProcess.Start("LogPipeline.Processor.dll", [$"--urls=http://127.0.0.1:{port}"], settings, logPath);
        return new ProcessorProcess(process, logPath);
    }

    /// <summary>
    /// Polls its <c>/health</c> through <paramref name="http"/> until the answer matches, it exits, or
    /// <paramref name="timeout"/> passes; returns the last answer (status 0 when none).
    /// </summary>
    public async Task<(HttpStatusCode Status, string Body)> WaitForHealthAsync(HttpClient http, Func<HttpStatusCode, bool> status, Func<string, bool> body, TimeSpan timeout)
    {
        var last = (Status: (HttpStatusCode)0, Body: "no answer");
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("/health", UriKind.Relative));
                last = (response.StatusCode, await response.Content.ReadAsStringAsync());
                if (status(last.Status) && body(last.Body))
                {
                    return last;
                }
            }
            catch (HttpRequestException ex)
            {
                last = ((HttpStatusCode)0, ex.Message);
            }

            await Task.Delay(250);
        }

        return last;
    }

    /// <summary>
    /// Reads its log until it contains <paramref name="expected"/>, it exits, or <paramref name="timeout"/>
    /// passes; returns the log as last read (without <paramref name="expected"/> when it never came).
    /// </summary>
    public async Task<string> WaitForLogAsync(string expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var text = File.Exists(LogPath) ? await File.ReadAllTextAsync(LogPath) : "";
            if (text.Contains(expected, StringComparison.Ordinal) || HasExited || DateTime.UtcNow >= deadline)
            {
                return text;
            }

            await Task.Delay(500);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }

        _process.Dispose();
    }
}
