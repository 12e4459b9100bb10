using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// Runs one single-row INSERT (or upsert) for many rows on SQLite through the native statement API,
/// on the batch's connection and so inside its transaction: prepared once, values bound by position.
/// </summary>
/// <remarks>
/// Every raw event and most aggregate rows go through here, so it is the writer's hottest loop.
/// Through ADO.NET each value costs a by-name parameter lookup and each date a string conversion;
/// binding directly more than doubled the writer's rows per second (bench/LogPipeline.Benchmarks).
/// Values are stored exactly as Microsoft.Data.Sqlite stores them (dates as
/// <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c> text, bools as 0/1, enums and small integers as integers), so
/// EF Core reads them back unchanged.
/// </remarks>
internal static class SqliteRows
{
    private const int Done = 101; // SQLITE_DONE

    private const string DateFormat = "yyyy-MM-dd HH:mm:ss.FFFFFFF";

    /// <summary>Runs <paramref name="sql"/> (positional <c>?1 ... ?n</c> parameters) once per row.</summary>
    public static void Execute<T>(SqliteConnection connection, string sql, int columns, IReadOnlyList<T> rows, RowBinder<T> bind)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        var rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
        if (rc != 0)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }

        using (statement)
        {
            var values = new Row(statement);
            foreach (var row in rows)
            {
                values.Start();
                bind(row, values);
                values.EnsureComplete(columns);
                rc = raw.sqlite3_step(statement);
                if (rc != Done)
                {
                    // The message belongs to this step until the next call on the connection: read it before the reset.
                    SqliteException.ThrowExceptionForRC(rc, db);
                }

                raw.sqlite3_reset(statement);
            }
        }
    }

    /// <summary>Binds each value to the next parameter of the statement as it is added.</summary>
    private sealed class Row(sqlite3_stmt statement) : RowValues
    {
        private readonly byte[] _date = new byte[32];

        public override void Add(string? value)
        {
            if (value is null)
            {
                raw.sqlite3_bind_null(statement, ++Count);
            }
            else
            {
                raw.sqlite3_bind_text16(statement, ++Count, value.AsSpan());
            }
        }

        public override void Add(long? value)
        {
            if (value is { } v)
            {
                raw.sqlite3_bind_int64(statement, ++Count, v);
            }
            else
            {
                raw.sqlite3_bind_null(statement, ++Count);
            }
        }

        public override void Add(double? value)
        {
            if (value is { } v)
            {
                raw.sqlite3_bind_double(statement, ++Count, v);
            }
            else
            {
                raw.sqlite3_bind_null(statement, ++Count);
            }
        }

        public override void Add(DateTime? value)
        {
            if (value is not { } t)
            {
                raw.sqlite3_bind_null(statement, ++Count);
                return;
            }

            // SQLitePCLRaw binds as SQLITE_TRANSIENT (SQLite copies the bytes), so the buffer is reused.
            if (!t.TryFormat(_date, out var written, DateFormat, CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException($"Could not format {t:O} for SQLite.");
            }

            raw.sqlite3_bind_text(statement, ++Count, _date.AsSpan(0, written));
        }
    }
}
