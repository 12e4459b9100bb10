using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LogPipeline.AppHost;

/// <summary>
/// This machine's MariaDB server for the AppHost: a data folder made once by
/// <c>mariadb-install-db</c> and kept between runs, and the <c>mariadbd</c> command line that serves
/// it on one loopback port. Checked before anything starts, so a wrong setup is one sentence and exit code 2.
/// </summary>
internal sealed partial class LocalMariaDb
{
    private LocalMariaDb(string program, string folder, int port, string[] arguments)
    {
        Program = program;
        Folder = folder;
        Port = port;
        Arguments = arguments;
    }

    public string Program { get; }

    public string Folder { get; }

    public int Port { get; }

    public string[] Arguments { get; }

    private string InitFile => Path.Combine(Folder, "init.sql");

    public static LocalMariaDb Prepare(string program, string folder, int port)
    {
        if (!File.Exists(program))
        {
            throw new InfrastructureException($"Infrastructure:MariaDbPath '{program}' does not exist: apt-get install mariadb-server, or point it at mariadbd.");
        }

        var version = ServerVersion(program);
        var data = Path.Combine(folder, "data");
        var upgradeInfo = Path.Combine(data, "mysql_upgrade_info");
        if (File.Exists(upgradeInfo))
        {
            var madeBy = File.ReadAllText(upgradeInfo).Trim('\0', ' ', '\n', '\r');
            if (MajorMinor(madeBy) != MajorMinor(version))
            {
                throw new InfrastructureException(
                    $"The MariaDB data folder {data} was made by MariaDB {madeBy}, but {program} is {version}: delete the folder " +
                    "(its data is lost), or set Infrastructure:DataPath to another folder.");
            }
        }
        else if (Directory.Exists(data) && Directory.EnumerateFileSystemEntries(data).Any())
        {
            throw new InfrastructureException(
                $"The folder {data} is not empty and is not a MariaDB data folder: delete it, or set Infrastructure:DataPath to another folder.");
        }
        else
        {
            Install(program, data);
        }

        // mariadbd refuses to run as root unless told to; the unix socket path must stay short.
        var asRoot = Environment.UserName == "root" ? new[] { "--user=root" } : [];
        string[] arguments =
        [
            "--no-defaults", .. asRoot,
            $"--datadir={data}",
            $"--port={port.ToString(CultureInfo.InvariantCulture)}",
            "--bind-address=127.0.0.1",
            $"--socket={Path.Combine(folder, "mysqld.sock")}",
            $"--pid-file={Path.Combine(folder, "mysqld.pid")}",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_general_ci",
            $"--init-file={Path.Combine(folder, "init.sql")}",
        ];
        return new LocalMariaDb(program, folder, port, arguments);
    }

    /// <summary>
    /// Writes the SQL the server runs at each start: the password for root over TCP and the
    /// database, made anew when <paramref name="recreateDatabase"/>. Readable by its owner only.
    /// </summary>
    public void WriteInitFile(string password, string database, bool recreateDatabase)
    {
        var secret = password.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal);
        var sql = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"ALTER USER 'root'@'localhost' IDENTIFIED BY '{secret}';")
            .AppendLine(CultureInfo.InvariantCulture, $"CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '{secret}';")
            .AppendLine(CultureInfo.InvariantCulture, $"ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '{secret}';")
            .AppendLine("GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;");
        if (recreateDatabase)
        {
            sql.AppendLine(CultureInfo.InvariantCulture, $"DROP DATABASE IF EXISTS `{database}`;");
        }

        sql.AppendLine(CultureInfo.InvariantCulture, $"CREATE DATABASE IF NOT EXISTS `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;");
        File.WriteAllText(InitFile, "");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(InitFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(InitFile, sql.ToString());
    }

    private static void Install(string program, string data)
    {
        var installer = new[] { Path.GetDirectoryName(program)!, "/usr/bin", "/usr/sbin" }
            .Select(folder => Path.Combine(folder, "mariadb-install-db"))
            .FirstOrDefault(File.Exists)
            ?? LocalInfrastructure.FindProgram("mariadb-install-db")
            ?? throw new InfrastructureException("mariadb-install-db was not found next to mariadbd: apt-get install mariadb-server.");
        Directory.CreateDirectory(data);
        var asRoot = Environment.UserName == "root" ? "--user=root " : "";
        var (exitCode, output) = Run(installer, $"--no-defaults {asRoot}--datadir=\"{data}\" --auth-root-authentication-method=normal --skip-test-db");
        if (exitCode != 0)
        {
            throw new InfrastructureException($"mariadb-install-db could not make the data folder {data} (exit code {exitCode}): {LastLine(output)}");
        }
    }

    private static string ServerVersion(string program)
    {
        var (exitCode, output) = Run(program, "--version");
        var match = VersionPattern().Match(output);
        return exitCode == 0 && match.Success
            ? match.Groups[1].Value
            : throw new InfrastructureException($"{program} --version did not answer with a MariaDB version (exit code {exitCode}): {LastLine(output)}");
    }

    private static string MajorMinor(string version) => string.Join('.', version.Split('.', '-').Take(2));

    private static (int ExitCode, string Output) Run(string program, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InfrastructureException($"{program} could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new InfrastructureException($"{program} {arguments} did not finish within 60 s.");
        }

        return (process.ExitCode, output.Result + error.Result);
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no output)";

    [GeneratedRegex(@"Ver\s+(\d+\.\d+\.\d+)")]
    private static partial Regex VersionPattern();
}
