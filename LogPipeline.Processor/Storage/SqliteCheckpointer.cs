using System.Diagnostics;
using LogPipeline.Data;
using Microsoft.Data.Sqlite;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// Moves the batch writer's WAL into the database file in the background instead of inside its
/// commits.
/// </summary>
/// <remarks>
/// By default SQLite checkpoints inside the COMMIT that grows the WAL past 1,000 pages, so every few
/// batches one commit also copies the whole WAL into the database: measured, that was a third of the
/// writer's time. The writer's connection turns that off (<see cref="Prepare"/>) and, after a commit,
/// a PASSIVE checkpoint runs on another connection at most once per <see cref="Interval"/>. PASSIVE
/// never blocks the writer or readers; a page written by many batches in between is copied once.
/// The WAL stays bounded: after a complete checkpoint the next batch starts it again from the top.
/// </remarks>
internal sealed partial class SqliteCheckpointer(StoreConnectionFactory connections, ILogger logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private long lastStarted = Stopwatch.GetTimestamp();
    private int running;

    /// <summary>Turns off checkpoints inside this connection's commits (a per-connection setting).</summary>
    public static void Prepare(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_autocheckpoint=0";
        command.ExecuteNonQuery();
    }

    /// <summary>Starts a checkpoint unless one is running or the last started less than <see cref="Interval"/> ago.</summary>
    public void AfterCommit()
    {
        if (Stopwatch.GetElapsedTime(Interlocked.Read(ref lastStarted)) < Interval || Interlocked.Exchange(ref running, 1) == 1)
        {
            return;
        }

        Interlocked.Exchange(ref lastStarted, Stopwatch.GetTimestamp());
        _ = Task.Run(CheckpointAsync);
    }

    private async Task CheckpointAsync()
    {
        try
        {
            var connection = await connections.OpenAsync().ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                    await command.ExecuteNonQueryAsync().ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is SqliteException or IOException or InvalidOperationException)
        {
            // The next commit starts another; until then the WAL only grows.
            LogCheckpointFailed(logger, ex);
        }
        finally
        {
            Volatile.Write(ref running, 0);
        }
    }

    [LoggerMessage(EventId = 113, Level = LogLevel.Warning, Message = "SQLite WAL checkpoint failed; the next batch retries it")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);
}
