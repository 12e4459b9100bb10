namespace LogPipeline.Processor.Storage;

/// <summary>Gives one row's values, in its table's column order (<see cref="TableRows{T}.Columns"/>).</summary>
internal delegate void RowBinder<in T>(T row, RowValues values);
