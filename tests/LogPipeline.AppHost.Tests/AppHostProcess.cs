using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LogPipeline.AppHost.Tests;

/// <summary>
/// The built AppHost run the way a user runs it (<c>dotnet LogPipeline.AppHost.dll</c> from its own
/// output folder, in its project folder, with the http launch profile's environment on free ports),
/// its output collected, stopped with SIGTERM.
/// </summary>
internal sealed partial class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _loginUrl = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppHostProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public Task<Uri> LoginUrl => _loginUrl.Task;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static AppHostProcess Start(IEnumerable<string> arguments)
    {
        var dashboard = LoopbackPort.Free();
        var otlp = LoopbackPort.Free();
        var resourceService = LoopbackPort.Free();
        var info = StartInfo(arguments);
        info.Environment["ASPNETCORE_URLS"] = $"http://localhost:{dashboard}";
        info.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://localhost:{otlp}";
        info.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://localhost:{resourceService}";
        info.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var host = new AppHostProcess(process);
        process.OutputDataReceived += (_, e) => host.Received(e.Data);
        process.ErrorDataReceived += (_, e) => host.Received(e.Data);
        process.Exited += (_, _) => host._loginUrl.TrySetException(new InvalidOperationException($"The AppHost exited with code {process.ExitCode} before it printed the dashboard login URL:\n{host.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunToEndAsync(IEnumerable<string> arguments)
    {
        using var process = Process.Start(StartInfo(arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    /// <summary>
    /// The AppHost and everything it runs, from /proc: its own children, and the orchestrator (DCP),
    /// which detaches into sessions of its own (started with <c>--monitor &lt;AppHost pid&gt;</c>) and
    /// whose resources are re-parented to init but stay in its sessions.
    /// </summary>
    public IReadOnlyList<int> ProcessTree()
    {
        var all = Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(n => int.Parse(n!, CultureInfo.InvariantCulture)).ToList();
        var monitors = all.Where(pid => CommandLine(pid).Contains($"--monitor {_process.Id} ", StringComparison.Ordinal)).ToList();
        var roots = monitors.Prepend(_process.Id).ToList();
        var tree = roots.Concat(roots.SelectMany(Descendants)).ToHashSet();
        var sessions = tree.Where(pid => pid != _process.Id).Select(SessionId).Where(sid => sid > 0 && sid != SessionId(_process.Id)).ToHashSet();
        tree.UnionWith(all.Where(pid => sessions.Contains(SessionId(pid))));
        return tree.Order().ToList();
    }

    private static int SessionId(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid pgrp session ...", comm may hold spaces.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[3], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    /// <summary>Resident memory of the whole tree, in MiB.</summary>
    public long TreeRssMiB() => ProcessTree().Sum(pid => RssKiB(pid)) / 1024;

    /// <summary>SIGTERM, as Ctrl+C or a service manager sends it; the AppHost then stops every resource.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            var tree = ProcessTree();
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            foreach (var pid in tree)
            {
                try
                {
                    Process.GetProcessById(pid).Kill();
                }
                catch (ArgumentException)
                {
                    // already gone
                }
            }
        }

        _process.Dispose();
    }

    private static IEnumerable<int> Descendants(int pid)
    {
        var children = new List<int>();
        foreach (var task in SafeDirectories($"/proc/{pid}/task"))
        {
            var file = Path.Combine(task, "children");
            if (File.Exists(file))
            {
                try
                {
                    children.AddRange(File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
                }
                catch (IOException)
                {
                    // the task ended while we looked
                }
            }
        }

        return children.SelectMany(child => Descendants(child).Prepend(child));
    }

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static long RssKiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string[] SafeDirectories(string path)
    {
        try
        {
            return Directory.GetDirectories(path);
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    private void Received(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (LoginPattern().Match(line) is { Success: true } match)
        {
            _loginUrl.TrySetResult(new Uri(match.Value));
        }
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var (dll, projectFolder) = BuiltAppHost();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = projectFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    /// <summary>The AppHost's own build output (bin/&lt;Configuration&gt;/net10.0 of its project, as this test project's).</summary>
    private static (string Dll, string ProjectFolder) BuiltAppHost()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var root = testOutput;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "LogPipeline.sln")))
        {
            root = root.Parent;
        }

        var project = Path.Combine(root?.FullName ?? throw new InvalidOperationException($"No LogPipeline.sln above {testOutput}"), "LogPipeline.AppHost");
        var dll = Path.Combine(project, "bin", configuration, framework, "LogPipeline.AppHost.dll");
        return File.Exists(dll) ? (dll, project) : throw new FileNotFoundException("Build the AppHost first (dotnet build LogPipeline.sln).", dll);
    }

    [GeneratedRegex(@"https?://\S+/login\?t=[0-9a-fA-F]+")]
    private static partial Regex LoginPattern();
}
