using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace LogPipeline.Data;

/// <summary>
/// Opens ADO.NET connections to the store, set up the same way everywhere: SQLite in WAL mode with
/// a busy timeout; MariaDB through MySqlConnector in the full build flavour, or through MySql.Data
/// here (the only MariaDB driver our package source has).
/// </summary>
public sealed class StoreConnectionFactory
{
    public StoreConnectionFactory(StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Provider = options.Provider;
        ConnectionString = options.GetConnectionString();
    }

    public StoreConnectionFactory(StoreProvider provider, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        Provider = provider;
        ConnectionString = connectionString;
    }

    public StoreProvider Provider { get; }

    public string ConnectionString { get; }

    /// <summary>Creates and opens a connection; the caller disposes it.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = Create();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await InitializeAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private DbConnection Create() => Provider switch
    {
        StoreProvider.Sqlite => new SqliteConnection(ConnectionString),
#if LOGPIPELINE_FULL
        StoreProvider.MariaDb => new MySqlConnector.MySqlConnection(ConnectionString),
#else
        StoreProvider.MariaDb => new MySql.Data.MySqlClient.MySqlConnection(ConnectionString),
#endif
        _ => throw new InvalidOperationException($"Unknown store provider {Provider}."),
    };

    private async Task InitializeAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        string? sql = Provider switch
        {
            StoreProvider.Sqlite => SqliteConnectionSetup.Pragmas,
#if LOGPIPELINE_FULL
            StoreProvider.MariaDb => null,
#else
            // MySql.Data 8.0.16 does not know MariaDB's charset name utf8mb3 and throws on any result
            // that uses it (information_schema, SHOW WARNINGS): have the server send utf8mb4 instead.
            StoreProvider.MariaDb => "SET character_set_results=utf8mb4",
#endif
            _ => null,
        };

        if (sql is null)
        {
            return;
        }

        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
