using System.Data;
using System.Data.Common;
using System.Text;
using LogPipeline.Data;
using Microsoft.Data.Sqlite;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// The few places where SQLite and MariaDB SQL differ for the writer. Only System.Data.Common types
/// cross this boundary (besides SQLite's own connection).
/// </summary>
internal sealed class StoreSqlDialect
{
    public static readonly StoreSqlDialect Sqlite = new(StoreProvider.Sqlite);

    public static readonly StoreSqlDialect MariaDb = new(StoreProvider.MariaDb);

    private StoreSqlDialect(StoreProvider provider) => Provider = provider;

    public StoreProvider Provider { get; }

    /// <summary><c>partition</c> is reserved on MariaDB.</summary>
    public string PartitionColumn => Provider == StoreProvider.MariaDb ? "`partition`" : "\"partition\"";

    /// <summary>
    /// Rows per MariaDB INSERT statement of aggregates and offsets (values as literals, see
    /// <see cref="MariaDbLiterals"/>; raw events are bulk-loaded, <see cref="MariaDbBulkLoad"/>): each
    /// statement is a round trip, so multi-row statements win (measured when raw events were INSERTs
    /// too, 300k backlog: 100 rows 17k events/s, 500 rows 21-23k, 1,000 rows 24k;
    /// bench/LogPipeline.Benchmarks). SQLite runs in process and takes one prepared single-row
    /// statement per row instead (<see cref="SqliteRows"/>).
    /// </summary>
    public const int RowsPerStatement = 500;

    /// <summary>Appended to a SELECT that reads a row the transaction will then overwrite.</summary>
    public string ForUpdate => Provider == StoreProvider.MariaDb ? " FOR UPDATE" : string.Empty;

    public static StoreSqlDialect For(StoreProvider provider) => provider switch
    {
        StoreProvider.Sqlite => Sqlite,
        StoreProvider.MariaDb => MariaDb,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown store provider."),
    };

    /// <summary>
    /// Starts the write transaction. SQLite: BEGIN IMMEDIATE, so the offset check and the write hold
    /// the database's write lock together and a second process cannot slip in between. MariaDB:
    /// REPEATABLE READ, whose <c>SELECT ... FOR UPDATE</c> also gap-locks a missing offset row, so
    /// two first writers of a partition collide (one deadlocks and retries) instead of both passing.
    /// </summary>
    public async ValueTask<DbTransaction> BeginAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (Provider == StoreProvider.Sqlite)
        {
            return ((SqliteConnection)connection).BeginTransaction(deferred: false);
        }

        return await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The clause that merges a conflicting row: ON DUPLICATE KEY UPDATE / ON CONFLICT DO UPDATE.</summary>
    public string Upsert(IReadOnlyList<string> keyColumns, IReadOnlyList<(string Column, MergeKind Kind)> merges)
    {
        var sql = new StringBuilder();
        if (Provider == StoreProvider.MariaDb)
        {
            sql.Append(" ON DUPLICATE KEY UPDATE ");
        }
        else
        {
            sql.Append(" ON CONFLICT (").AppendJoin(", ", keyColumns).Append(") DO UPDATE SET ");
        }

        for (var i = 0; i < merges.Count; i++)
        {
            var (column, kind) = merges[i];
            var incoming = Provider == StoreProvider.MariaDb ? $"VALUES({column})" : $"excluded.{column}";
            var (least, greatest, coalesce) = Provider == StoreProvider.MariaDb ? ("LEAST", "GREATEST", "COALESCE") : ("min", "max", "coalesce");
            sql.Append(i == 0 ? string.Empty : ", ").Append(column).Append(" = ").Append(kind switch
            {
                MergeKind.Add => $"{column} + {incoming}",
                MergeKind.Min => $"{least}({column}, {incoming})",
                MergeKind.Max => $"{greatest}({column}, {incoming})",
                MergeKind.Replace => incoming,
                MergeKind.ReplaceUnlessNull => $"{coalesce}({incoming}, {column})",
                _ => throw new ArgumentOutOfRangeException(nameof(merges), kind, "Unknown merge kind."),
            });
        }

        return sql.ToString();
    }

    /// <summary>
    /// The clause that keeps the stored row on a conflict of <paramref name="keyColumns"/> and drops
    /// the new one. On MariaDB a no-op update rather than INSERT IGNORE, which would also turn a
    /// value that does not fit, or any other error, into a warning.
    /// </summary>
    public string Ignore(IReadOnlyList<string> keyColumns) => Provider == StoreProvider.MariaDb
        ? $" ON DUPLICATE KEY UPDATE {keyColumns[0]} = {keyColumns[0]}"
        : $" ON CONFLICT ({string.Join(", ", keyColumns)}) DO NOTHING";

    /// <summary>
    /// Deletes at most <paramref name="limit"/> rows whose <paramref name="column"/> is before
    /// <c>@cutoff</c>, so a large purge never holds a long lock. Every SQLite table here has a rowid.
    /// </summary>
    public string DeleteChunk(string table, string column, int limit) => Provider == StoreProvider.MariaDb
        ? $"DELETE FROM {table} WHERE {column} < @cutoff LIMIT {limit}"
        : $"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE {column} < @cutoff LIMIT {limit})";
}
