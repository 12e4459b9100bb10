using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LogPipeline.Data;

/// <summary>
/// What every SQLite connection runs after it opens: WAL so readers (the API) never block the writer
/// (the processor), NORMAL sync (durable at each WAL checkpoint, safe against corruption), and a busy
/// timeout so a second writer waits instead of failing at once, and a 64 MiB page cache, which keeps
/// the raw table's indexes in memory while batches are inserted.
/// </summary>
internal sealed class SqliteConnectionSetup : DbConnectionInterceptor
{
    public const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA cache_size=-65536;";

    public static readonly SqliteConnectionSetup Instance = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
