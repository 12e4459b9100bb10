using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LogPipeline.Data;

/// <summary>
/// What every SQLite connection runs after it opens: WAL so readers (the API) never block the writer
/// (the processor), NORMAL sync (durable at each WAL checkpoint, safe against corruption), and a busy
/// timeout so a second writer waits instead of failing at once, and a 64 MiB page cache, which keeps
/// the raw table's indexes in memory while batches are inserted. It also replaces SQLite's lower(),
/// which folds ASCII only, with .NET's invariant lowercase, so the API's case-insensitive search
/// folds the same letters as MariaDB's LOWER() ("ÉCHEC" finds "échec" on both engines).
/// </summary>
internal sealed class SqliteConnectionSetup : DbConnectionInterceptor
{
    public const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA cache_size=-65536;";

    public static readonly SqliteConnectionSetup Instance = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        AddFunctions(connection);
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        AddFunctions(connection);
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void AddFunctions(DbConnection connection)
    {
        if (connection is SqliteConnection sqlite)
        {
#pragma warning disable CA1308 // lowercase is the point: it stands in for SQL's lower()
            sqlite.CreateFunction("lower", static (string? text) => text?.ToLowerInvariant(), isDeterministic: true);
#pragma warning restore CA1308
        }
    }
}
