namespace LogPipeline.Producer.Publishing;

/// <summary>
/// Paces sending to <see cref="ProducerOptions.EventsPerSecond"/>, multiplied by
/// <see cref="ProducerOptions.BurstFactor"/> for <see cref="ProducerOptions.BurstDuration"/> at the
/// start of every <see cref="ProducerOptions.BurstEvery"/> (the first period has no burst).
/// Credit accrues with time and is capped at 100 ms worth, so a stall is not followed by a flood.
/// </summary>
public sealed class RatePacer(ProducerOptions options, TimeProvider time)
{
    private readonly long _start = time.GetTimestamp();
    private long _last = time.GetTimestamp();
    private double _credit;

    /// <summary>Rate in force at <paramref name="elapsed"/> after start.</summary>
    public double RateAt(TimeSpan elapsed)
    {
        var rate = options.EventsPerSecond;
        if (options.BurstEvery > TimeSpan.Zero && elapsed >= options.BurstEvery
            && TimeSpan.FromTicks(elapsed.Ticks % options.BurstEvery.Ticks) < options.BurstDuration)
        {
            rate *= options.BurstFactor;
        }

        return rate;
    }

    /// <summary>Waits until at least one event may be sent; returns how many may be sent now (at most <paramref name="max"/>).</summary>
    public async ValueTask<int> AcquireAsync(int max, CancellationToken cancellationToken)
    {
        if (options.EventsPerSecond == 0)
        {
            return max;
        }

        while (true)
        {
            var now = time.GetTimestamp();
            var rate = RateAt(time.GetElapsedTime(_start, now));
            _credit = Math.Min(_credit + (rate * time.GetElapsedTime(_last, now).TotalSeconds), Math.Max(1, rate / 10));
            _last = now;
            if (_credit >= 1)
            {
                var n = (int)Math.Min(_credit, max);
                _credit -= n;
                return n;
            }

            var wait = TimeSpan.FromSeconds((1 - _credit) / rate);
            await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, time, cancellationToken);
        }
    }
}
