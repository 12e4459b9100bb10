using System.Data.Common;
using System.Globalization;

namespace LogPipeline.Testing;

/// <summary>
/// One row of a query's result, its values read by column name (in any case), so that a reader sees
/// which column is checked. A SQL NULL is <see cref="DBNull"/>.
/// </summary>
public sealed class StoreRow
{
    private readonly Dictionary<string, int> _columns;
    private readonly object[] _values;

    private StoreRow(Dictionary<string, int> columns, object[] values)
    {
        _columns = columns;
        _values = values;
    }

    public object this[string column]
    {
        get => _columns.TryGetValue(column, out var index)
            ? _values[index]
            : throw new KeyNotFoundException($"The row has no column {column}; it has {string.Join(", ", _columns.Keys)}.");
    }

    /// <summary>The values in the query's order of columns.</summary>
    public IReadOnlyList<object> Values => _values;

    public string Text(string column) => (string)this[column];

    public long Long(string column) => Convert.ToInt64(this[column], CultureInfo.InvariantCulture);

    public double Double(string column) => Convert.ToDouble(this[column], CultureInfo.InvariantCulture);

    /// <summary>A stored time as UTC (see <see cref="StoreQueries.Time"/>).</summary>
    public DateTime Time(string column) => StoreQueries.Time(this[column]);

    /// <summary>Every row of <paramref name="command"/>'s result.</summary>
    public static async Task<List<StoreRow>> ReadAllAsync(DbCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (!columns.TryAdd(reader.GetName(i), i))
            {
                throw new InvalidOperationException($"The query names column {reader.GetName(i)} twice: name each once (AS ...).");
            }
        }

        var rows = new List<StoreRow>();
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(new StoreRow(columns, row));
        }

        return rows;
    }
}
