using System.Data.Common;
using LogPipeline.Data;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LogPipeline.Api.Infrastructure;

/// <summary>
/// The API's view of the store's commands. One that got its answer tells <see cref="StoreOutageLog"/>
/// that the store answers. One that failed for a reason other than an outage (<see cref="StoreErrors"/>),
/// a bug, is logged as an error with its SQL: EF Core's own log of failed commands, connections and
/// queries is at Debug in the API (<see cref="Demote"/>), since during an outage it would be an error per
/// request. An outage's failures are <see cref="StoreOutageLog"/>'s, and any failure that reaches a
/// request unhandled is logged again by the exception handler.
/// </summary>
internal sealed partial class StoreCommandInterceptor(StoreOutageLog outage, ILogger<StoreCommandInterceptor> logger) : DbCommandInterceptor
{
    /// <summary>EF Core's failure events that an outage repeats on every request; Debug instead of Error.</summary>
    public static void Demote(WarningsConfigurationBuilder warnings) => warnings.Log(
        (RelationalEventId.CommandError, LogLevel.Debug),
        (RelationalEventId.ConnectionError, LogLevel.Debug),
        (CoreEventId.QueryIterationFailed, LogLevel.Debug));

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        outage.Answered(eventData.StartTime);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        outage.Answered(eventData.StartTime);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        outage.Answered(eventData.StartTime);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        outage.Answered(eventData.StartTime);
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        outage.Answered(eventData.StartTime);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        outage.Answered(eventData.StartTime);
        return ValueTask.FromResult(result);
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => LogUnlessOutage(command, eventData);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        LogUnlessOutage(command, eventData);
        return Task.CompletedTask;
    }

    private void LogUnlessOutage(DbCommand command, CommandErrorEventData eventData)
    {
        // A cancelled request (the client left) is neither an outage nor a bug.
        if (StoreUnavailableHandler.Unreachable(eventData.Exception) is null && eventData.Exception is not OperationCanceledException)
        {
            LogCommandFailed(logger, eventData.Exception, eventData.Duration.TotalMilliseconds, command.CommandText);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "A store command failed ({ElapsedMs:0} ms): {CommandText}")]
    private static partial void LogCommandFailed(ILogger logger, Exception exception, double elapsedMs, string commandText);
}
