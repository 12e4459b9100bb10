namespace LogPipeline.Data;

/// <summary>
/// Settings of the log store, section <c>Store</c>. The connection string comes from
/// <c>ConnectionStrings:logsdb</c>, the name Aspire injects, unless <c>Store:ConnectionString</c> is set.
/// </summary>
public sealed class StoreOptions
{
    public const string SectionName = "Store";

    /// <summary>The connection name, as the AppHost names the database resource.</summary>
    public const string ConnectionName = "logsdb";

    public const string DefaultSqliteConnectionString = "Data Source=logpipeline.db";

    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;

    public string? ConnectionString { get; set; }

    /// <summary>
    /// How long a service that does not own the schema waits at startup for the owner to bring it
    /// up to date before it fails.
    /// </summary>
    public TimeSpan SchemaWaitTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Apply the schema, then exit: the AppHost's <c>migrations</c> resource (see <c>AddLogStoreMigrations</c>).</summary>
    public bool MigrateOnly { get; set; }

    /// <summary>The connection string to use: the configured one, else the SQLite default.</summary>
    /// <exception cref="InvalidOperationException">MariaDB is selected and no connection string is configured.</exception>
    public string GetConnectionString() =>
        !string.IsNullOrWhiteSpace(ConnectionString) ? ConnectionString
        : Provider == StoreProvider.Sqlite ? DefaultSqliteConnectionString
        : throw new InvalidOperationException(
            $"Store:Provider is {Provider} but no connection string is configured: set ConnectionStrings:{ConnectionName} (Aspire injects it) or Store:ConnectionString.");
}
