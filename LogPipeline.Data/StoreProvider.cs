namespace LogPipeline.Data;

/// <summary>The database engine behind the log store.</summary>
public enum StoreProvider
{
    /// <summary>A local SQLite file: development, tests, single-node installs.</summary>
    Sqlite,

    /// <summary>MariaDB 10.11 or later (the Aspire deployment runs 11.4).</summary>
    MariaDb,
}
