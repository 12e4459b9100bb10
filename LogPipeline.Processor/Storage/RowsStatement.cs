namespace LogPipeline.Processor.Storage;

/// <summary>
/// The writer's multi-row INSERT into one table, built from that table's one column list: the head
/// up to <c>VALUES</c>, the conflict clause after the rows (empty for a plain INSERT), and the number
/// of values every row must give.
/// </summary>
internal sealed record RowsStatement(string Head, string Tail, int Columns)
{
    public static RowsStatement Insert(string table, IReadOnlyList<string> columns, string tail = "") =>
        new($"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ", tail, columns.Count);
}
