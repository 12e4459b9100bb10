namespace LogPipeline.Resilience;

/// <summary>
/// Throttles the logs of an outage (the store or Kafka not answering): its first failure is logged,
/// then at most one per interval while it lasts, so a long outage writes a line a minute instead of
/// one per retry. Shared by the store's and Kafka's retries and the API's answers during a store outage.
/// </summary>
public sealed class OutageLog(TimeSpan interval)
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _started;
    private DateTimeOffset _lastLogged;
    private long _suppressed;

    /// <summary>The interval between two logs of one outage.</summary>
    public TimeSpan Interval { get; } = interval;

    /// <summary>
    /// Records a failure at <paramref name="now"/>; true when it is to be logged.
    /// <paramref name="since"/> is how long the outage has lasted, <paramref name="suppressedCount"/> how
    /// many failures went unlogged since the last log.
    /// </summary>
    public bool ShouldLog(DateTimeOffset now, out TimeSpan since, out long suppressedCount)
    {
        lock (_gate)
        {
            // A quiet gap of two intervals means the last outage ended without anyone saying so.
            if (_started is null || now - _lastLogged > Interval + Interval)
            {
                _started = now;
                _lastLogged = now;
                _suppressed = 0;
                since = TimeSpan.Zero;
                suppressedCount = 0;
                return true;
            }

            since = now - _started.Value;
            if (now - _lastLogged < Interval)
            {
                _suppressed++;
                suppressedCount = 0;
                return false;
            }

            _lastLogged = now;
            suppressedCount = _suppressed;
            _suppressed = 0;
            return true;
        }
    }

    /// <inheritdoc cref="ShouldLog(DateTimeOffset, out TimeSpan, out long)"/>
    public bool ShouldLog(DateTimeOffset now, out TimeSpan since) => ShouldLog(now, out since, out _);

    /// <summary>The thing answers again. Returns how long the outage lasted, or null when none was on.</summary>
    public TimeSpan? End(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_started is not { } s)
            {
                return null;
            }

            _started = null;
            _suppressed = 0;
            return now - s;
        }
    }
}
