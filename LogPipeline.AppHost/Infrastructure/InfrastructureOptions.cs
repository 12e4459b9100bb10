namespace LogPipeline.AppHost;

/// <summary>Where Kafka and the store come from.</summary>
public enum InfrastructureKind
{
    /// <summary>
    /// Containers when this build has the hosting packages and a container runtime answers (or when
    /// publishing), else local processes; publishing without the packages is <see cref="Existing"/>.
    /// </summary>
    Auto,

    /// <summary>Kafka and MariaDB as containers (Aspire.Hosting.Kafka, Aspire.Hosting.MySql), with Grafana.</summary>
    Containers,

    /// <summary>Embedded Kafka in a process of its own; this machine's mariadbd, or SQLite without one.</summary>
    Local,

    /// <summary>A Kafka cluster and a MariaDB database that already run: connection strings <c>kafka</c> and <c>logsdb</c>.</summary>
    Existing,
}

/// <summary>The <c>Infrastructure</c> configuration section of the AppHost (command line, environment, user secrets).</summary>
public sealed class InfrastructureOptions
{
    public const string SectionName = "Infrastructure";

    public InfrastructureKind Kind { get; set; } = InfrastructureKind.Auto;

    /// <summary>Local: the store engine; <c>Auto</c> is MariaDB where <c>mariadbd</c> is installed, else SQLite.</summary>
    public string Store { get; set; } = "Auto";

    /// <summary>Local: the MariaDB server program; found on the PATH or in /usr/sbin when not set.</summary>
    public string? MariaDbPath { get; set; }

    /// <summary>Local: the folder that keeps the MariaDB data (and the SQLite file) between runs.</summary>
    public string? DataPath { get; set; }

    /// <summary>Local: the ports of embedded Kafka and MariaDB; 0 picks a free one at each start.</summary>
    public int KafkaPort { get; set; }

    public int MariaDbPort { get; set; }
}
