using System.Globalization;
using System.Text;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// Writes values as MariaDB SQL literals, for the writer's multi-row statements (aggregates and
/// offsets; raw events are bulk-loaded, see <see cref="MariaDbBulkLoad"/>). Safe by
/// construction, whatever the connection's character set or sql_mode: a string is quoted only when
/// it is printable ASCII without a backslash (so neither NO_BACKSLASH_ESCAPES nor a latin1
/// connection can change its meaning, and a quote is doubled); anything else is sent as the hex of
/// its UTF-8 bytes with a <c>_utf8mb4</c> introducer.
/// </summary>
/// <remarks>
/// Why not parameters: the driver substitutes parameters into the text itself, client side, inside
/// the call that then waits for the server, so every statement would cost its formatting plus its
/// execution one after the other. Formatting here lets the writer build the next statement while
/// the server runs the current one (bench/LogPipeline.Benchmarks).
/// </remarks>
internal static class MariaDbLiterals
{
    /// <summary>Writes each value as a literal, comma-separated, as it is added.</summary>
    public sealed class Row(StringBuilder sql) : RowValues
    {
        public override void Add(string? value)
        {
            if (Separate(value is null))
            {
                AppendString(sql, value!);
            }
        }

        public override void Add(long? value)
        {
            if (Separate(value is null))
            {
                // Formatted into the builder: no string per value.
                sql.Append(CultureInfo.InvariantCulture, $"{value!.Value}");
            }
        }

        public override void Add(double? value)
        {
            if (Separate(value is null))
            {
                var v = value!.Value;
                if (!double.IsFinite(v))
                {
                    throw new ArgumentException($"No MariaDB literal for {v}.", nameof(value));
                }

                sql.Append(CultureInfo.InvariantCulture, $"{v:R}");
            }
        }

        public override void Add(DateTime? value)
        {
            if (Separate(value is null))
            {
                // DATETIME(6): microseconds, as the drivers send them.
                sql.Append(CultureInfo.InvariantCulture, $"'{value!.Value:yyyy-MM-dd HH:mm:ss.ffffff}'");
            }
        }

        /// <summary>Writes the comma before every value but the first, and NULL for a null; true when the value is still to write.</summary>
        private bool Separate(bool isNull)
        {
            if (Count++ > 0)
            {
                sql.Append(", ");
            }

            if (isNull)
            {
                sql.Append("NULL");
            }

            return !isNull;
        }
    }

    private static void AppendString(StringBuilder sql, string s)
    {
        if (s.AsSpan().IndexOfAnyExceptInRange(' ', '~') >= 0 || s.Contains('\\', StringComparison.Ordinal))
        {
            AppendHex(sql, s);
            return;
        }

        // Quotes doubled, the rest copied a run at a time (appending each char through a conditional
        // of string and char would box every one of them into Append(object)).
        sql.Append('\'');
        var rest = s.AsSpan();
        for (var quote = rest.IndexOf('\''); quote >= 0; quote = rest.IndexOf('\''))
        {
            sql.Append(rest[..(quote + 1)]).Append('\'');
            rest = rest[(quote + 1)..];
        }

        sql.Append(rest).Append('\'');
    }

    private static void AppendHex(StringBuilder sql, string s)
    {
        // Lone surrogates become U+FFFD, as every other UTF-8 encoding of ours does.
        var bytes = Encoding.UTF8.GetBytes(s);
        sql.Append("_utf8mb4 X'");
        Span<char> hex = stackalloc char[2];
        foreach (var b in bytes)
        {
            b.TryFormat(hex, out _, "X2", CultureInfo.InvariantCulture);
            sql.Append(hex);
        }

        sql.Append('\'');
    }
}
