namespace LogPipeline.Processor.Pipeline;

/// <summary>
/// The newest event time that this process has committed to the store for its partitions: the
/// pipeline's writer raises it after each commit, <see cref="WindowCloser"/> closes the windows behind it.
/// </summary>
public sealed class StoredWatermark
{
    private long _ticks;

    /// <summary>Null until the first batch with events is committed.</summary>
    public DateTime? Value
    {
        get
        {
            var t = Interlocked.Read(ref _ticks);
            return t == 0 ? null : new DateTime(t, DateTimeKind.Utc);
        }
    }

    /// <summary>Called by the writer only (one batch at a time), so a read-then-write is enough.</summary>
    internal void Raise(DateTime utc)
    {
        if (utc.Ticks > Interlocked.Read(ref _ticks))
        {
            Interlocked.Exchange(ref _ticks, utc.Ticks);
        }
    }
}
