using System.Data.Common;
using System.Net.Sockets;
using LogPipeline.Resilience;

namespace LogPipeline.Data;

/// <summary>
/// Waits out a store that does not answer at start: runs a step until it succeeds, retrying failures
/// to reach the store with capped exponential backoff (200 ms doubling to 10 s), forever, until
/// cancelled. The outage is reported once when it starts and then once a minute while it lasts;
/// any other error (SQL errors, a migration bug) reaches the caller at once.
/// </summary>
public static class StoreStartupWait
{
    public static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan ReportInterval = TimeSpan.FromMinutes(1);

    /// <param name="step">The work; it opens its own connection.</param>
    /// <param name="report">Called with the failure and how long the store has not answered: once at first, then once per <see cref="ReportInterval"/>.</param>
    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> step, Action<Exception, TimeSpan> report, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(time);
        var delay = BaseDelay;
        var outage = new OutageLog(ReportInterval);
        while (true)
        {
            try
            {
                return await step(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsUnreachable(ex))
            {
                if (outage.ShouldLog(time.GetUtcNow(), out var since))
                {
                    report(ex, since);
                }
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }

    /// <summary>The store could not be reached or went away (as opposed to an error in what was sent).</summary>
    public static bool IsUnreachable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is IOException or SocketException or TimeoutException || e is DbException { IsTransient: true })
            {
                return true;
            }

            if (e is MySqlConnector.MySqlException mySql && mySql.Number is 1040 or 1042 or 1043 or 1053 or 1152 or 1153 or 1158 or 1159 or 1160 or 1161 or 1927 or 2002 or 2003 or 2006 or 2013 or 4031)
            {
                return true;
            }
        }

        return false;
    }
}
