using System.Globalization;
using System.Text;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// Writes values as MariaDB SQL literals, for the writer's multi-row statements. Safe by
/// construction, whatever the connection's character set or sql_mode: a string is quoted only when
/// it is printable ASCII without a backslash (so neither NO_BACKSLASH_ESCAPES nor a latin1
/// connection can change its meaning, and a quote is doubled); anything else is sent as the hex of
/// its UTF-8 bytes with a <c>_utf8mb4</c> introducer.
/// </summary>
/// <remarks>
/// Why not parameters: MySql.Data substitutes parameters into the text itself, client side, inside
/// the call that then waits for the server, so every statement cost its formatting plus its
/// execution one after the other. Formatting here lets the writer build the next statement while
/// the server runs the current one (bench/LogPipeline.Benchmarks).
/// </remarks>
internal static class MariaDbLiterals
{
    public static void Append(StringBuilder sql, object? value)
    {
        switch (value)
        {
            case null:
                sql.Append("NULL");
                break;
            case string s:
                AppendString(sql, s);
                break;
            case bool b:
                sql.Append(b ? '1' : '0');
                break;
            case double d when double.IsFinite(d):
                sql.Append(d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case long or int or short or byte:
                sql.Append(Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                break;
            case DateTime t:
                // DATETIME(6): microseconds, as the drivers send them.
                sql.Append('\'').Append(t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)).Append('\'');
                break;
            default:
                throw new ArgumentException($"No MariaDB literal for {value} ({value.GetType().Name}).", nameof(value));
        }
    }

    private static void AppendString(StringBuilder sql, string s)
    {
        foreach (var c in s)
        {
            if (c is < ' ' or > '~' or '\\')
            {
                AppendHex(sql, s);
                return;
            }
        }

        sql.Append('\'');
        foreach (var c in s)
        {
            sql.Append(c == '\'' ? "''" : c);
        }

        sql.Append('\'');
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
