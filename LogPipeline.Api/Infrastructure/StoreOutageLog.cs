using LogPipeline.Resilience;

namespace LogPipeline.Api.Infrastructure;

/// <summary>
/// The API's log of a store outage, as the processor logs its own (<see cref="OutageLog"/>): a warning
/// when the first request finds the store gone, then at most one a minute with the count of requests
/// answered 503 meanwhile, and one line when a command of the store answers again, instead of a warning
/// (and EF Core's errors) per request. <see cref="StoreUnavailableHandler"/> reports the failures,
/// <see cref="StoreCommandInterceptor"/> the commands that succeed.
/// </summary>
internal sealed partial class StoreOutageLog(TimeProvider time, ILogger<StoreOutageLog> logger)
{
    /// <summary>The interval between two warnings of one outage, the processor's default.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly OutageLog _outage = new(Interval);

    /// <summary>When the outage on began, in ticks of UTC; 0 when the store answers.</summary>
    private long _startedTicks;

    /// <summary>Requests answered 503 in the outage on.</summary>
    private long _unavailable;

    /// <summary>A request found the store gone and is answered 503.</summary>
    public void Unavailable(string path, Exception cause)
    {
        var now = time.GetUtcNow();
        Interlocked.CompareExchange(ref _startedTicks, now.UtcTicks, 0);
        Interlocked.Increment(ref _unavailable);
        if (!_outage.ShouldLog(now, out var since, out var unlogged))
        {
            return;
        }

        if (since == TimeSpan.Zero)
        {
            LogOutageStarted(logger, path, cause.GetType().Name, cause.Message);
        }
        else
        {
            LogOutageGoesOn(logger, since.TotalSeconds, unlogged + 1, cause.GetType().Name, cause.Message);
        }
    }

    /// <summary>
    /// A command that started at <paramref name="commandStarted"/> got its answer. Only a command started
    /// after the outage began ends it: one that was already under way when the first request failed says
    /// nothing about the store now.
    /// </summary>
    public void Answered(DateTimeOffset commandStarted)
    {
        var started = Volatile.Read(ref _startedTicks);
        if (started == 0 || commandStarted.UtcTicks < started || Interlocked.CompareExchange(ref _startedTicks, 0, started) != started)
        {
            return;
        }

        var count = Interlocked.Exchange(ref _unavailable, 0);
        if (_outage.End(time.GetUtcNow()) is { } lasted)
        {
            LogOutageEnded(logger, lasted.TotalSeconds, count);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{Path}: the log store did not answer ({ExceptionType}: {Reason}); answering 503 until it does (logged again once a minute while it lasts)")]
    private static partial void LogOutageStarted(ILogger logger, string path, string exceptionType, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "The log store has not answered for {OutageSeconds:0} s; {Requests} requests answered 503 since the last report ({ExceptionType}: {Reason})")]
    private static partial void LogOutageGoesOn(ILogger logger, double outageSeconds, long requests, string exceptionType, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "The log store answers again after {OutageSeconds:0} s; {Requests} requests were answered 503 meanwhile")]
    private static partial void LogOutageEnded(ILogger logger, double outageSeconds, long requests);
}
