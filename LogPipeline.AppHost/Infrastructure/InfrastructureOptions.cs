namespace LogPipeline.AppHost;

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
