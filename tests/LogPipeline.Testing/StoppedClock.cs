namespace LogPipeline.Testing;

/// <summary>A wall clock stopped at one instant, so generated events are reproducible; timers and stopwatches stay real.</summary>
public sealed class StoppedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
