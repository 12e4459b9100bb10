using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LogPipeline.Data;

/// <summary>
/// The schema owner's startup step: applies pending migrations in <see cref="StartAsync"/>, so the
/// host starts the services registered after it only once the schema is current. A store that does
/// not answer is never fatal: then the host starts (so /health answers, Unhealthy with the reason)
/// while the migration waits for the store in the background (<see cref="StoreStartupWait"/>), and
/// <see cref="StoreSchemaGate"/> holds the services that need the schema until it is done. With
/// <see cref="StoreOptions.MigrateOnly"/> it stops the host once the schema is current.
/// </summary>
internal sealed partial class SchemaMigrationService(
    StoreConnectionFactory connections,
    SchemaMigrator migrator,
    StoreSchemaGate gate,
    IOptions<StoreOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<SchemaMigrationService> logger) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _waiting = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var applied = await MigrateAsync(cancellationToken).ConfigureAwait(false);
            Migrated(applied);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && StoreStartupWait.IsUnreachable(ex))
        {
            _waiting = Task.Run(WaitAndMigrateAsync, CancellationToken.None);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _waiting.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task WaitAndMigrateAsync()
    {
        try
        {
            var applied = await StoreStartupWait.RunAsync(
                MigrateAsync,
                ReportWait,
                TimeProvider.System,
                _stopping.Token).ConfigureAwait(false);
            Migrated(applied);
        }
        catch (OperationCanceledException ex) when (_stopping.IsCancellationRequested)
        {
            gate.Fail(ex);
            if (options.Value.MigrateOnly)
            {
                Environment.ExitCode = 1; // stopped before the schema was migrated: what waits for this must not start
            }
        }
        catch (Exception ex)
        {
            // Not an outage: a migration that fails on a store that answers is a bug; stop with it.
            LogMigrationFailed(logger, ex, connections.Provider);
            gate.Fail(ex);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    /// <summary>
    /// A store that does not answer and a store whose schema another process is migrating are both
    /// waited for, but they are different news: the second is not an outage.
    /// </summary>
    private void ReportWait(Exception ex, TimeSpan since)
    {
        if (ex is SchemaLockTimeoutException)
        {
            LogWaitingForOtherMigration(logger, connections.Provider, ex.Message);
        }
        else
        {
            LogStoreUnreachable(logger, connections.Provider, since.TotalSeconds, ex.Message);
        }
    }

    private void Migrated(IReadOnlyList<int> applied)
    {
        LogSchemaReady(logger, connections.Provider, migrator.LatestVersion, applied.Count);
        gate.Open();
        if (options.Value.MigrateOnly)
        {
            lifetime.StopApplication();
        }
    }

    private async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await migrator.MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Log store schema ({Provider}) is at version {Version}; {AppliedCount} migrations applied now")]
    private static partial void LogSchemaReady(ILogger logger, StoreProvider provider, int version, int appliedCount);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Log store ({Provider}) does not answer (for {OutageSeconds:0} s); waiting for it before migrating the schema: {Reason}")]
    private static partial void LogStoreUnreachable(ILogger logger, StoreProvider provider, double outageSeconds, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Another process is migrating the log store schema ({Provider}); waiting for it to finish: {Reason}")]
    private static partial void LogWaitingForOtherMigration(ILogger logger, StoreProvider provider, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Critical, Message = "Log store ({Provider}) schema migration failed; stopping")]
    private static partial void LogMigrationFailed(ILogger logger, Exception exception, StoreProvider provider);
}
