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

    /// <summary>
    /// The same store, with MariaDB connections allowed to send <c>LOAD DATA LOCAL INFILE</c> (the
    /// processor's writer bulk-loads raw events that way), whatever the configured connection string
    /// says; SQLite is unchanged. MySqlConnector still serves only the loader's own stream, never a file
    /// the server asks for (that would need <c>SslMode=VerifyCA</c>), and the server must keep its
    /// default <c>local_infile=ON</c>.
    /// </summary>
    public StoreConnectionFactory WithLocalInfile() => Provider == StoreProvider.MariaDb
        ? new StoreConnectionFactory(Provider, new MySqlConnector.MySqlConnectionStringBuilder(ConnectionString) { AllowLoadLocalInfile = true }.ConnectionString)
        : this;

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
