using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using MySqlConnector;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// How rows of one table are written: its one column list, the binder that gives a row's values in
/// that order, the clause that settles a key conflict, and the order in which rows lock their keys.
/// Every statement and the bulk load's columns come from that one list, so a column count is never
/// written down twice.
/// </summary>
/// <remarks>
/// SQLite: one prepared single-row statement per row, bound natively (<see cref="SqliteRows"/>).
/// MariaDB: up to <see cref="StoreSqlDialect.RowsPerStatement"/> rows in one statement, values as
/// literals (<see cref="MariaDbLiterals"/>); more rows are bulk-loaded into a session's temporary
/// staging table and merged with one <c>INSERT ... SELECT</c> and the same conflict clause
/// (<see cref="StageAndMergeAsync"/>); raw events are bulk-loaded straight into their table
/// (<see cref="BulkLoadAsync"/>).
/// </remarks>
internal sealed class TableRows<T>
{
    // MariaDB's default max_allowed_packet is 16 MiB. A statement takes no more rows once its text
    // passes this many characters (all ASCII: quoted ASCII or hex, one byte each), so even a last
    // row of two 16,000-character texts in hex (about 200k) keeps it far below the limit.
    private const int MaxStatementChars = 2 * 1024 * 1024;

    private readonly string _head;
    private readonly string _tail;
    private readonly string _singleRow;
    private readonly string _staging;
    private readonly string[] _stagingColumns;
    private readonly string _stage;
    private readonly string _merge;
    private readonly Comparison<T>? _keyOrder;

    /// <param name="table">The table.</param>
    /// <param name="columns">The columns written, in the order <paramref name="bind"/> gives their values.</param>
    /// <param name="bind">One row's values, cut to the columns' lengths (<see cref="StoreValues.Truncate"/>).</param>
    /// <param name="conflict">What follows the rows: an upsert or ignore clause (<see cref="StoreSqlDialect"/>), empty for a plain INSERT.</param>
    /// <param name="keyOrder">
    /// The order of the rows' unique keys, for tables that two writers may both touch: rows locked in
    /// the same order in every writer cannot deadlock. Strings compare ordinally (a culture compare
    /// gives the same order at many times the cost).
    /// </param>
    public TableRows(string table, IReadOnlyList<string> columns, RowBinder<T> bind, string conflict = "", Comparison<T>? keyOrder = null)
    {
        Table = table;
        Columns = columns;
        Bind = bind;
        _keyOrder = keyOrder;
        _head = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ";
        _tail = conflict;
        var single = new StringBuilder(_head).Append('(');
        for (var c = 1; c <= columns.Count; c++)
        {
            single.Append(c == 1 ? "?" : ", ?").Append(c);
        }

        _singleRow = single.Append(')').Append(conflict).ToString();

        // The staging table has the table's column types and no keys (rows that the key's collation
        // takes for one all arrive, and the merge adds them up as a multi-row INSERT does). Its columns
        // are named c1..cn so that the conflict clause's bare names can only mean the table's own.
        _staging = table + "_staged";
        _stagingColumns = [.. columns.Select((_, i) => $"c{i + 1}")];
        _stage = $"CREATE TEMPORARY TABLE IF NOT EXISTS {_staging} SELECT {string.Join(", ", columns.Select((c, i) => $"{c} AS c{i + 1}"))} FROM {table} LIMIT 0; " +
            $"DELETE FROM {_staging}";
        _merge = $"INSERT INTO {table} ({string.Join(", ", columns)}) SELECT {string.Join(", ", _stagingColumns)} FROM {_staging}{conflict}";
    }

    public string Table { get; }

    public IReadOnlyList<string> Columns { get; }

    public RowBinder<T> Bind { get; }

    /// <summary>Writes the rows (in key order, sorted in place, when the table has one) on the connection, inside its transaction.</summary>
    public async Task WriteAsync(DbConnection connection, DbTransaction transaction, List<T> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }

        if (_keyOrder is not null)
        {
            rows.Sort(_keyOrder);
        }

        if (connection is SqliteConnection sqlite)
        {
            SqliteRows.Execute(sqlite, _singleRow, Columns.Count, rows, Bind);
            return;
        }

        if (rows.Count > StoreSqlDialect.RowsPerStatement && connection is MySqlConnection mySql)
        {
            await StageAndMergeAsync(mySql, transaction, rows, ct).ConfigureAwait(false);
            return;
        }

        var next = BuildStatement(0);
        while (next.Sql is { } sql)
        {
            var start = next.End;
            // The next statement is built on another thread while the server runs this one.
            var following = start < rows.Count
                ? Task.Run(() => BuildStatement(start), ct)
                : Task.FromResult<(string? Sql, int End)>((null, rows.Count));
            await ExecuteAsync(connection, transaction, sql, ct).ConfigureAwait(false);
            next = await following.ConfigureAwait(false);
        }

        // One statement of rows from start, and where the next starts.
        (string? Sql, int End) BuildStatement(int start)
        {
            var text = new StringBuilder(_head, 64 * 1024);
            var values = new MariaDbLiterals.Row(text);
            var end = start;
            while (end < rows.Count && end - start < StoreSqlDialect.RowsPerStatement && (end == start || text.Length < MaxStatementChars))
            {
                text.Append(end == start ? "(" : ", (");
                values.Start();
                Bind(rows[end], values);
                values.EnsureComplete(Columns.Count);
                text.Append(')');
                end++;
            }

            return (text.Append(_tail).ToString(), end);
        }
    }

    /// <summary>
    /// Many rows on MariaDB: LOAD DATA into the session's staging table (emptied first), then one
    /// INSERT ... SELECT with the table's conflict clause, all in the caller's transaction (a temporary
    /// table's DDL does not commit it). The client formats tab-separated text instead of SQL literals
    /// and the server parses neither a multi-megabyte statement nor its values
    /// (bench/LogPipeline.Benchmarks: the benchmark's 256 services give about one histogram row per event).
    /// Rows reach the merge in the order loaded, key order, as the literal statements send them: a table
    /// without a key is scanned in insertion order (InnoDB's hidden row id).
    /// </summary>
    private async Task StageAndMergeAsync(MySqlConnection connection, DbTransaction transaction, List<T> rows, CancellationToken ct)
    {
        await ExecuteAsync(connection, transaction, _stage, ct).ConfigureAwait(false);
        await MariaDbBulkLoad.LoadAsync(connection, _staging, _stagingColumns, rows, Bind, ct).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, _merge, ct).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken ct)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Loads the rows with LOAD DATA LOCAL INFILE (<see cref="MariaDbBulkLoad"/>); a plain insert, so the table's conflict clause does not apply.</summary>
    public Task BulkLoadAsync(MySqlConnection connection, IReadOnlyList<T> rows, CancellationToken ct) =>
        MariaDbBulkLoad.LoadAsync(connection, Table, Columns, rows, Bind, ct);
}
