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
