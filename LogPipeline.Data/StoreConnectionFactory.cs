using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace LogPipeline.Data;

/// <summary>
/// Opens ADO.NET connections to the store, set up the same way everywhere: SQLite in WAL mode with
/// a busy timeout; MariaDB through MySqlConnector, the driver Pomelo uses.
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
        StoreProvider.MariaDb => new MySqlConnector.MySqlConnection(ConnectionString),
        _ => throw new InvalidOperationException($"Unknown store provider {Provider}."),
    };

    private async Task InitializeAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (Provider != StoreProvider.Sqlite)
        {
            return;
        }

        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = SqliteConnectionSetup.Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
