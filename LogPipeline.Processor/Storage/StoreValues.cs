using System.Data.Common;
using System.Globalization;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// Conversions between .NET values and what both stores keep, shared by every store job: UTC times
/// (SQLite hands back unspecified kinds), integers that come back as another width, and strings cut
/// to their column's length. The only place that cuts a value to fit the store.
/// </summary>
internal static class StoreValues
{
    public static DateTime Utc(DateTime value) => value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc);

    public static DateTime? UtcOrNull(DateTime? value) => value is { } v ? Utc(v) : null;

    public static DateTime ReadUtc(DbDataReader reader, int ordinal) => DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);

    public static DateTime? ReadUtcOrNull(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : ReadUtc(reader, ordinal);

    public static long ToInt64(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    public static int ToInt32(object? value) => Convert.ToInt32(value, CultureInfo.InvariantCulture);

    public static double ToDouble(object? value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);

    /// <summary>
    /// Cuts a value to a column's length in UTF-16 units (never more characters than the column
    /// holds), without splitting a surrogate pair, which would not encode as UTF-8.
    /// </summary>
    public static string Truncate(string value, int maxLength)
    {
        if (value.Length <= maxLength)
        {
            return value;
        }

        var length = char.IsHighSurrogate(value[maxLength - 1]) ? maxLength - 1 : maxLength;
        return value[..length];
    }

    public static string? TruncateOrNull(string? value, int maxLength) => value is null ? null : Truncate(value, maxLength);

    public static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
