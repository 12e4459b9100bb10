namespace LogPipeline.Processor.Storage;

/// <summary>
/// Where a binder puts one row's values, in column order, typed: no value is boxed, which mattered
/// because every raw event passes 21 of them through here (<see cref="SqliteRows"/> binds them to a
/// prepared statement, <see cref="LoadDataStream{T}"/> writes them as MariaDB LOAD DATA text, and
/// <see cref="MariaDbLiterals"/> writes aggregate rows into a multi-row statement).
/// </summary>
internal abstract class RowValues
{
    /// <summary>Values added to the current row so far.</summary>
    public int Count { get; protected set; }

    /// <summary>Begins the next row.</summary>
    public void Start() => Count = 0;

    public abstract void Add(string? value);

    public abstract void Add(long? value);

    public abstract void Add(double? value);

    /// <summary>A UTC time.</summary>
    public abstract void Add(DateTime? value);

    /// <summary>Both stores keep booleans as 0 and 1.</summary>
    public void Add(bool value) => Add(value ? 1L : 0L);

    /// <summary>Throws when a binder gave another number of values than the statement has columns (a bug, never data).</summary>
    public void EnsureComplete(int columns)
    {
        if (Count != columns)
        {
            throw new InvalidOperationException($"A row binder gave {Count} values for {columns} columns.");
        }
    }
}
