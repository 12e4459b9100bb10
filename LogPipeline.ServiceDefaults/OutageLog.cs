namespace LogPipeline.Resilience;

/// <summary>
/// Throttles the logs of an outage (the store or Kafka not answering): its first failure is logged,
/// then at most one per interval while it lasts, so a long outage writes a line a minute instead of
/// one per retry. Shared by the store's and Kafka's retries and the API's answers during a store outage.
/// </summary>
public sealed class OutageLog(TimeSpan interval)
{
    private readonly Lock gate = new();
    private DateTimeOffset? started;
    private DateTimeOffset lastLogged;
    private long suppressed;

    /// <summary>The interval between two logs of one outage.</summary>
    public TimeSpan Interval { get; } = interval;

    /// <summary>
    /// Records a failure at <paramref name="now"/>; true when it is to be logged.
    /// <paramref name="since"/> is how long the outage has lasted, <paramref name="suppressedCount"/> how
    /// many failures went unlogged since the last log.
    /// </summary>
    public bool ShouldLog(DateTimeOffset now, out TimeSpan since, out long suppressedCount)
    {
        lock (gate)
        {
            // A quiet gap of two intervals means the last outage ended without anyone saying so.
            if (started is null || now - lastLogged > Interval + Interval)
            {
                started = now;
                lastLogged = now;
                suppressed = 0;
                since = TimeSpan.Zero;
                suppressedCount = 0;
                return true;
            }

            since = now - started.Value;
            if (now - lastLogged < Interval)
            {
                suppressed++;
                suppressedCount = 0;
                return false;
            }

            lastLogged = now;
            suppressedCount = suppressed;
            suppressed = 0;
            return true;
        }
    }

    /// <inheritdoc cref="ShouldLog(DateTimeOffset, out TimeSpan, out long)"/>
    public bool ShouldLog(DateTimeOffset now, out TimeSpan since) => ShouldLog(now, out since, out _);

    /// <summary>The thing answers again. Returns how long the outage lasted, or null when none was on.</summary>
    public TimeSpan? End(DateTimeOffset now)
    {
        lock (gate)
        {
            if (started is not { } s)
            {
                return null;
            }

            started = null;
            suppressed = 0;
            return now - s;
        }
    }
}
