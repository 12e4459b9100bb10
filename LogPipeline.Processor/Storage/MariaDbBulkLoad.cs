using MySqlConnector;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// Inserts rows into a MariaDB table with <c>LOAD DATA LOCAL INFILE</c> from a stream
/// (<see cref="LoadDataStream{T}"/>) on the given connection, inside its current transaction, and
/// fails as a plain INSERT would where the server would only warn.
/// </summary>
/// <remarks>
/// <para>
/// Why: the server parses the loaded text far more cheaply than INSERT statements, and the client
/// only formats text (300k raw events: 63-77k rows/s at about 2 µs client and 11 µs server CPU per
/// row, against 33-36k at 8-9 and 17-19 µs for 500-row INSERTs; ../shared/docs/environment.md).
/// </para>
/// <para>
/// With LOCAL the server cannot stop the sender half way, so MariaDB loads as with IGNORE: a row
/// whose unique key already exists is skipped, a value that does not fit is cut or clamped, each with
/// a warning and nothing else, even in strict mode. The writer's INSERTs failed instead, and must
/// still (a duplicate offset means the fence is broken). So every warning and every row not inserted
/// fails the load with <see cref="BulkLoadException"/>, and the caller's transaction is rolled back.
/// </para>
/// </remarks>
internal static class MariaDbBulkLoad
{
    // ER_NOT_ALLOWED_COMMAND (MySQL, older MariaDB) and ER_LOAD_INFILE_CAPABILITY_DISABLED (MariaDB 10.5+).
    private static readonly int[] LocalInfileDisabled = [1148, 4166];

    /// <summary>Loads <paramref name="rows"/> into <paramref name="columns"/> of <paramref name="table"/>, each row bound by <paramref name="bind"/> in column order.</summary>
    /// <exception cref="BulkLoadException">The server skipped a row or warned about a value.</exception>
    public static async Task LoadAsync<T>(
        MySqlConnection connection, string table, IReadOnlyList<string> columns, IReadOnlyList<T> rows, RowBinder<T> bind, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }

        // MySqlBulkLoader runs in the connection's current transaction. Its defaults are the server's
        // own, spelled out here because LoadDataStream writes exactly this format.
        var loader = new MySqlBulkLoader(connection)
        {
            TableName = table,
            Local = true,
            CharacterSet = "utf8mb4",
            FieldTerminator = "\t",
            EscapeCharacter = '\\',
            LineTerminator = "\n",
            ConflictOption = MySqlBulkLoaderConflictOption.None,
            SourceStream = new LoadDataStream<T>(rows, columns.Count, bind),
        };
        loader.Columns.AddRange(columns);

        // The loader's own default is no timeout at all; a hung server must fail the load (and have it
        // retried) as it fails every other statement. The connection's command timeout (0: none) was
        // meant for one 500-row INSERT; the load is the whole batch, so it gets a second per 1,000 rows
        // at least (on this machine the server takes 60-75k per second).
        using (var command = connection.CreateCommand())
        {
            loader.Timeout = command.CommandTimeout == 0 ? 0 : Math.Max(command.CommandTimeout, rows.Count / 1_000);
        }

        // MySqlConnector reads SHOW WARNINGS itself when a statement had any and a handler listens.
        var warnings = new List<MySqlError>();
        void Collect(object sender, MySqlInfoMessageEventArgs args) => warnings.AddRange(args.Errors);
        connection.InfoMessage += Collect;
        int inserted;
        try
        {
            inserted = await loader.LoadAsync(ct).ConfigureAwait(false);
        }
        catch (MySqlException ex) when (LocalInfileDisabled.Contains(ex.Number))
        {
            throw new InvalidOperationException(
                "The MariaDB server refuses LOAD DATA LOCAL INFILE, with which the processor writes raw events: start it with local_infile=ON (its default).", ex);
        }
        finally
        {
            connection.InfoMessage -= Collect;
        }

        if (inserted != rows.Count || warnings.Count > 0)
        {
            var first = warnings.Take(3).Select(w => $"{(int)w.ErrorCode}: {w.Message}");
            throw new BulkLoadException(
                $"LOAD DATA into {table} inserted {inserted} of {rows.Count} rows with {warnings.Count} warnings" +
                (warnings.Count > 0 ? $" ({string.Join("; ", first)})" : string.Empty) + "; the transaction is rolled back.");
        }
    }
}
