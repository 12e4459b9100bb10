using System.Diagnostics;
using System.Net;
using LogPipeline.Data;

namespace LogPipeline.Testing;

/// <summary>
/// The whole pipeline (embedded Kafka, the store, producer, processor, API and dashboard) as its own OS
/// process: the built LogPipeline.Standalone.dll in the test output, on a free loopback port. The store
/// is a SQLite file in the given folder, or a given MariaDB database (its processor applies the schema).
/// </summary>
public sealed class StandaloneProcess : IDisposable
{
    private readonly Process _process;

    private StandaloneProcess(Process process, Uri baseAddress, Uri otlpGrpc, Uri otlpHttp, string logPath, StoreQueries store)
    {
        _process = process;
        BaseAddress = baseAddress;
        OtlpGrpc = otlpGrpc;
        OtlpHttp = otlpHttp;
        LogPath = logPath;
        Store = store;
    }

    public Uri BaseAddress { get; }

    /// <summary>The OTLP ingest's gRPC port (free ports, not OTLP's standard ones, so tests can run side by side).</summary>
    public Uri OtlpGrpc { get; }

    /// <summary>The OTLP ingest's HTTP port; <c>/v1/logs</c> under it.</summary>
    public Uri OtlpHttp { get; }

    /// <summary>Its store: a SQLite file in the given folder, or the MariaDB database it was given.</summary>
    public StoreQueries Store { get; }

    /// <summary>Where its console output goes, for diagnosing a failed test.</summary>
    public string LogPath { get; }

    /// <param name="mariaDbConnectionString">An empty MariaDB database to use instead of a SQLite file in <paramref name="folder"/>.</param>
    public static StandaloneProcess Start(string folder, IDictionary<string, string?> settings, string? mariaDbConnectionString = null)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        var (grpcPort, httpPort) = (LoopbackPort.Free(), LoopbackPort.Free());
        var logPath = Path.Combine(folder, "standalone.log");
        var store = mariaDbConnectionString is null
            ? new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(folder, "logs.db")}")
            : new StoreQueries(StoreProvider.MariaDb, mariaDbConnectionString);
        var process = DotnetProcess.Start(
            "LogPipeline.Standalone.dll",
            [$"--urls={baseAddress.GetLeftPart(UriPartial.Authority)}", $"--Ingest:GrpcPort={grpcPort}", $"--Ingest:HttpPort={httpPort}", $"--Store:Provider={store.Provider}", $"--ConnectionStrings:logsdb={store.ConnectionString}"],
            settings,
            logPath);
        return new StandaloneProcess(process, baseAddress, new Uri($"http://127.0.0.1:{grpcPort}"), new Uri($"http://127.0.0.1:{httpPort}"), logPath, store);
    }

    /// <summary>Waits until <c>/health</c> answers 200 (Kafka and the store included), or fails with the host's log.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"LogPipeline.Standalone exited with code {_process.ExitCode} before it was healthy.\n{ReadLog()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("health", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException)
            {
                last = "timed out";
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"LogPipeline.Standalone was not healthy after {timeout.TotalSeconds:0} s (last /health: {last}).\n{ReadLog()}");
    }

    public string ReadLog()
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();
            return $"--- {LogPath} (last 4000 characters) ---\n{(text.Length > 4000 ? text[^4000..] : text)}";
        }
        catch (IOException e)
        {
            return $"(could not read {LogPath}: {e.Message})";
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
