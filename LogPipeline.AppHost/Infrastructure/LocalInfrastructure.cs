using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MySqlConnector;

namespace LogPipeline.AppHost;

/// <summary>
/// Infrastructure without a container runtime: the embedded Kafka cluster (LogPipeline.KafkaHost)
/// as a project resource, and this machine's <c>mariadbd</c> as an executable resource with a data
/// folder kept between runs, or SQLite where no <c>mariadbd</c> is installed.
/// </summary>
/// <remarks>
/// The embedded cluster starts empty on every run, so the store does too: offsets stored by an
/// earlier run would point past the new cluster's records. The MariaDB server, its system tables and
/// its password stay in the data folder; the <c>logsdb</c> database is made anew at each AppHost start.
/// </remarks>
internal static class LocalInfrastructure
{
    public const string DatabaseName = "logsdb";

    public static PipelineInfrastructure Add(IDistributedApplicationBuilder builder, InfrastructureOptions options)
    {
        var dataPath = Path.GetFullPath(options.DataPath ?? Path.Combine(builder.AppHostDirectory, ".data"));
        var kafkaPort = Port(options.KafkaPort, "Infrastructure:KafkaPort");
        var kafka = builder.AddProject<Projects.LogPipeline_KafkaHost>("kafka")
            .WithHttpEndpoint()
            .WithEndpoint(port: kafkaPort, targetPort: kafkaPort, scheme: "tcp", name: "tcp", isProxied: false)
            .WithEnvironment("Kafka__Embedded__Port", kafkaPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithHttpHealthCheck("/health");
        var kafkaAddress = $"127.0.0.1:{kafkaPort}";

        Func<IResourceBuilder<ProjectResource>, IResourceBuilder<ProjectResource>> withKafka = service => service
            .WithEnvironment("ConnectionStrings__kafka", kafkaAddress)
            .WaitFor(kafka);
        Action<IResourceBuilder<ProjectResource>> noGrafana = _ => Console.WriteLine(
            "Grafana runs only as a container and is left out here; with Docker or Podman (and the Aspire container hosting packages) " +
            "the AppHost runs it, or set Infrastructure:Kind=Containers.");

        var mariaDbPath = options.MariaDbPath ?? FindProgram("mariadbd");
        var store = options.Store.ToUpperInvariant() switch
        {
            "AUTO" => mariaDbPath is null ? "Sqlite" : "MariaDb",
            "MARIADB" => "MariaDb",
            "SQLITE" => "Sqlite",
            _ => throw new InfrastructureException($"Infrastructure:Store is '{options.Store}'; use Auto, MariaDb or Sqlite."),
        };

        if (store == "Sqlite")
        {
            if (options.Store.Equals("Auto", StringComparison.OrdinalIgnoreCase))
            {
                Console.WriteLine("No mariadbd on this machine: the store is SQLite (apt-get install mariadb-server for MariaDB).");
            }

            var file = Path.Combine(dataPath, "logs.db");
            Directory.CreateDirectory(dataPath);
            foreach (var stale in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(stale);
            }

            return new PipelineInfrastructure
            {
                Kind = InfrastructureKind.Local,
                StoreProvider = store,
                WithKafka = withKafka,
                WithStore = service => service.WithEnvironment("ConnectionStrings__logsdb", $"Data Source={file}"),
                AddGrafana = noGrafana,
            };
        }

        var server = LocalMariaDb.Prepare(mariaDbPath
            ?? throw new InfrastructureException("Infrastructure:Store is MariaDb, but no mariadbd was found: apt-get install mariadb-server, or set Infrastructure:MariaDbPath."),
            Path.Combine(dataPath, "mariadb"), Port(options.MariaDbPort, "Infrastructure:MariaDbPort"));
        var password = builder.AddParameter("mariadb-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true);
        var mariaDb = builder.AddExecutable("mariadb", server.Program, server.Folder, server.Arguments)
            .WithEndpoint(port: server.Port, targetPort: server.Port, scheme: "tcp", name: "tcp", isProxied: false)
            .WithHealthCheck("mariadb-logsdb");

        var connectionString = ReferenceExpression.Create(
            $"Server=127.0.0.1;Port={server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)};User ID=root;Password={password.Resource};Database={DatabaseName}");

        // The init file sets the password the server then asks for; the first start of this run also
        // makes logsdb anew, a restart of the server within the run keeps it.
        var firstStart = true;
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(mariaDb.Resource, async (_, cancellationToken) =>
        {
            server.WriteInitFile(await password.Resource.GetValueAsync(cancellationToken) ?? "", DatabaseName, recreateDatabase: firstStart);
            firstStart = false;
        });
        builder.Services.AddHealthChecks().AddAsyncCheck("mariadb-logsdb", async cancellationToken =>
        {
            try
            {
                await using var connection = new MySqlConnection(await connectionString.GetValueAsync(cancellationToken));
                await connection.OpenAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (MySqlException ex)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        });

        return new PipelineInfrastructure
        {
            Kind = InfrastructureKind.Local,
            StoreProvider = store,
            WithKafka = withKafka,
            WithStore = service => service.WithEnvironment("ConnectionStrings__logsdb", connectionString).WaitFor(mariaDb),
            AddGrafana = noGrafana,
        };
    }

    /// <summary>The configured port when it is free, or a free one when it is 0.</summary>
    private static int Port(int configured, string setting)
    {
        if (configured is < 0 or > 65535)
        {
            throw new InfrastructureException($"{setting} is {configured}; give a port from 1 to 65535, or 0 for a free one.");
        }

        try
        {
            var listener = new TcpListener(IPAddress.Loopback, configured);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }
        catch (SocketException ex)
        {
            throw new InfrastructureException($"{setting} {configured} is in use ({ex.SocketErrorCode}); choose a free port, or 0 for a free one.");
        }
    }

    internal static string? FindProgram(string name)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"]);
        return folders.Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);
    }
}
