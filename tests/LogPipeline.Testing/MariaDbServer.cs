using System.Diagnostics;
using LogPipeline.Data;

namespace LogPipeline.Testing;

/// <summary>
/// A real MariaDB server (Debian's <c>mariadbd</c>) in a fresh temp folder on a free loopback port,
/// for integration tests and benchmarks. <see cref="InitializeAsync"/> installs and starts it; each
/// user seeds its own database with <see cref="CreateDatabase"/>. <see cref="Stop"/> and
/// <see cref="Start"/> take the server down and bring it back on the same port and data, for outage
/// tests. Never skips: without <c>mariadbd</c> it fails and says how to install it.
/// </summary>
/// <remarks>Not sealed: the test project's xunit fixture derives from it.</remarks>
public class MariaDbServer : IAsyncDisposable
{
    public const string InstallCommand = "apt-get update && apt-get install -y mariadb-server";

    private const string UserName = "logpipeline";
    private const string Password = "logpipeline-test-pw";
    private const string DefaultDatabase = "logpipeline";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly string[] _serverArguments;
    private string? _root;
    private bool _kept;
    private Process? _server;
    private int _databases;

    /// <param name="serverArguments">
    /// Extra <c>mariadbd</c> options, after the defaults so they win (a benchmark gives InnoDB more memory).
    /// </param>
    public MariaDbServer(params string[] serverArguments) => _serverArguments = serverArguments;

    /// <summary>
    /// A server whose folder is <paramref name="root"/> and outlives it: <see cref="InitializeAsync"/>
    /// reuses the data found there (a benchmark keeps a filled store between runs) and
    /// <see cref="DisposeAsync"/> stops the server without deleting it.
    /// </summary>
    public static MariaDbServer Kept(string root, params string[] serverArguments) =>
        new(serverArguments) { _root = Path.GetFullPath(root), _kept = true };

    /// <summary>The loopback TCP port the server listens on; the same after a restart.</summary>
    public int Port { get; private set; }

    /// <summary>Connection string of the test user to the default database <c>logpipeline</c>.</summary>
    public string ConnectionString => ConnectionStringFor(DefaultDatabase);

    private string DataDirectory => Path.Combine(Root, "data");

    private string SocketPath => Path.Combine(Root, "mysqld.sock");

    private string ErrorLogPath => Path.Combine(Root, "err.log");

    public bool IsRunning => _server is { HasExited: false };

    /// <summary>CPU time the running server process has used (zero when none runs): the benchmark charges it per event.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            lock (_gate)
            {
                return _server is { HasExited: false } server ? server.TotalProcessorTime : TimeSpan.Zero;
            }
        }
    }

    private string Root => _root ?? throw new InvalidOperationException("The MariaDB server has not been initialised.");

    /// <summary>Installs a fresh data directory, starts the server and creates the user and default database.</summary>
    public async Task InitializeAsync()
    {
        FindExecutable("mariadbd");
        var installDb = FindExecutable("mariadb-install-db");
        FindExecutable("mariadb-admin");
        FindExecutable("mariadb");

        Port = LoopbackPort.Free();
        if (_kept && Directory.Exists(DataDirectory))
        {
            Start();
            return;
        }

        _root ??= Path.Combine(Path.GetTempPath(), "logpipeline-mariadb-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_root);

        var install = await RunAsync(installDb,
            ["--no-defaults", "--user=root", $"--datadir={DataDirectory}", "--auth-root-authentication-method=normal", "--skip-test-db"]);
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException($"mariadb-install-db failed ({install.ExitCode}):\n{install.Output}");
        }

        Start();

        // root has no password and reaches the server only through the socket; tests use a TCP user.
        var setup = await RunAsync(FindExecutable("mariadb"),
            ["--no-defaults", $"--socket={SocketPath}", "-uroot", "-e",
             $"CREATE USER '{UserName}'@'%' IDENTIFIED BY '{Password}'; GRANT ALL PRIVILEGES ON *.* TO '{UserName}'@'%'; " +
             $"CREATE DATABASE `{DefaultDatabase}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;"]);
        if (setup.ExitCode != 0)
        {
            throw new InvalidOperationException($"Creating the test user failed ({setup.ExitCode}):\n{setup.Output}");
        }
    }

    /// <summary>
    /// Creates an empty database (utf8mb4) named after <paramref name="name"/> plus a unique suffix and
    /// returns a connection string to it.
    /// </summary>
    public string CreateDatabase(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var safe = new string(name.Where(c => char.IsAsciiLetterOrDigit(c) || c == '_').ToArray());
        var database = $"{safe[..Math.Min(safe.Length, 40)]}_{Interlocked.Increment(ref _databases)}";
        var result = RunAsync(FindExecutable("mariadb"),
            ["--no-defaults", $"--socket={SocketPath}", "-uroot", "-e",
             $"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;"]).GetAwaiter().GetResult();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"CREATE DATABASE {database} failed ({result.ExitCode}):\n{result.Output}");
        }

        return ConnectionStringFor(database);
    }

    /// <summary>Opens a connection to a database of this server through the store's connection factory.</summary>
    public static Task<System.Data.Common.DbConnection> OpenAsync(string connectionString, CancellationToken cancellationToken = default) =>
        new StoreConnectionFactory(StoreProvider.MariaDb, connectionString).OpenAsync(cancellationToken);

    /// <summary>Starts the server (again) on the same port and data directory and waits until it answers.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (IsRunning)
            {
                return;
            }

            var info = new ProcessStartInfo(FindExecutable("mariadbd")) { UseShellExecute = false };
            foreach (var arg in (string[])[
                "--no-defaults", "--user=root", $"--datadir={DataDirectory}", $"--port={Port}", "--bind-address=127.0.0.1",
                $"--socket={SocketPath}", $"--pid-file={Path.Combine(Root, "mysqld.pid")}", $"--log-error={ErrorLogPath}",
                "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci", "--skip-name-resolve",
                "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=32M", "--max-connections=300",

                // The default, spelled out: the processor's writer bulk-loads raw events with LOAD DATA LOCAL INFILE.
                "--local-infile=ON",
                .. _serverArguments,
            ])
            {
                info.ArgumentList.Add(arg);
            }

            _server = Process.Start(info) ?? throw new InvalidOperationException("mariadbd did not start.");
            var deadline = DateTime.UtcNow + StartTimeout;
            while (true)
            {
                if (_server.HasExited)
                {
                    throw new InvalidOperationException($"mariadbd exited with {_server.ExitCode} while starting.\n{ReadErrorLog()}");
                }

                if (Ping())
                {
                    return;
                }

                if (DateTime.UtcNow > deadline)
                {
                    KillServer();
                    throw new TimeoutException($"mariadbd did not answer a ping within {StartTimeout.TotalSeconds} s.\n{ReadErrorLog()}");
                }

                Thread.Sleep(100);
            }
        }
    }

    /// <summary>Shuts the server down cleanly (killing it if it does not stop in time); the data stays.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            if (_server is null)
            {
                return;
            }

            if (!_server.HasExited)
            {
                RunAsync(FindExecutable("mariadb-admin"), ["--no-defaults", $"--socket={SocketPath}", "-uroot", "shutdown"]).GetAwaiter().GetResult();
                if (!_server.WaitForExit(StopTimeout))
                {
                    KillServer();
                }
            }

            _server.Dispose();
            _server = null;
        }
    }

    /// <summary>
    /// SIGSTOP: the server freezes with its connections open, so clients see a store that does not
    /// answer rather than one that refuses (the harder outage: only timeouts notice it).
    /// </summary>
    public void Pause() => Signal("STOP");

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume() => Signal("CONT");

    /// <summary>SIGKILL: no shutdown, InnoDB recovers at the next <see cref="Start"/> on the same data directory.</summary>
    public void KillHard()
    {
        lock (_gate)
        {
            KillServer();
            _server?.Dispose();
            _server = null;
        }
    }

    /// <summary>Stops the server and deletes its folder; safe to call more than once.</summary>
    public ValueTask DisposeAsync()
    {
        Stop();
        if (!_kept && _root is not null && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private string ConnectionStringFor(string database) =>
        $"Server=127.0.0.1;Port={Port};User ID={UserName};Password={Password};Database={database};SslMode=None;AllowPublicKeyRetrieval=true;CharSet=utf8mb4";

    private bool Ping()
    {
        var result = RunAsync(FindExecutable("mariadb-admin"), ["--no-defaults", $"--socket={SocketPath}", "-uroot", "--connect-timeout=2", "ping"])
            .GetAwaiter().GetResult();
        return result.ExitCode == 0;
    }

    private void KillServer()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit(StopTimeout);
        }
    }

    private void Signal(string signal)
    {
        int pid;
        lock (_gate)
        {
            pid = _server is { HasExited: false } server ? server.Id : throw new InvalidOperationException("The MariaDB server is not running.");
        }

        // .NET has no API for SIGSTOP/SIGCONT; kill(1) is in every Debian base image.
        var result = RunAsync("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]).GetAwaiter().GetResult();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {pid} failed ({result.ExitCode}): {result.Output}");
        }
    }

    private string ReadErrorLog() =>
        File.Exists(ErrorLogPath) ? $"--- {ErrorLogPath} ---\n{File.ReadAllText(ErrorLogPath)}" : $"(no error log at {ErrorLogPath})";

    /// <summary>Finds a MariaDB program on PATH or in the sbin folders, or fails with the install command.</summary>
    private static string FindExecutable(string name)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"]);
        foreach (var folder in folders)
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"'{name}' is not installed, and the MariaDB integration tests and benchmarks need a real MariaDB server. Install it with: {InstallCommand}");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        return (process.ExitCode, (await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false)));
    }
}
