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
    public static void Execute<T>(SqliteConnection connection, string sql, int columns, IReadOnlyList<T> rows, StoreWriter.RowBinder<T> bind)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        var rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
        if (rc != 0)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }

        using (statement)
        {
            var values = new object?[columns];
            Span<byte> date = stackalloc byte[32];
            foreach (var row in rows)
            {
                Array.Clear(values);
                bind(row, values);
                for (var c = 0; c < columns; c++)
                {
                    Bind(statement, c + 1, values[c], date);
                }

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

    private static void Bind(sqlite3_stmt statement, int index, object? value, Span<byte> buffer)
    {
        switch (value)
        {
            case null:
                raw.sqlite3_bind_null(statement, index);
                break;
            case string s:
                raw.sqlite3_bind_text16(statement, index, s.AsSpan());
                break;
            case long or int or short or byte:
                raw.sqlite3_bind_int64(statement, index, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case bool b:
                raw.sqlite3_bind_int64(statement, index, b ? 1 : 0);
                break;
            case double d:
                raw.sqlite3_bind_double(statement, index, d);
                break;
            case DateTime t:
                // SQLitePCLRaw binds as SQLITE_TRANSIENT (SQLite copies the bytes), so the buffer is reused.
                if (!t.TryFormat(buffer, out var written, DateFormat, CultureInfo.InvariantCulture))
                {
                    throw new InvalidOperationException($"Could not format {t:O} for SQLite.");
                }

                raw.sqlite3_bind_text(statement, index, buffer[..written]);
                break;
            default:
                throw new ArgumentException($"No SQLite binding for a {value.GetType().Name}.", nameof(value));
        }
    }
}
