using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LogPipeline.Data;

/// <summary>
/// The schema owner's startup step: applies pending migrations in <see cref="StartAsync"/>, so the
/// host starts the services registered after it only once the schema is current.
/// </summary>
internal sealed partial class SchemaMigrationService(
    StoreConnectionFactory connections,
    SchemaMigrator migrator,
    ILogger<SchemaMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var applied = await migrator.MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
            LogSchemaReady(logger, connections.Provider, migrator.LatestVersion, applied.Count);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Log store schema ({Provider}) is at version {Version}; {AppliedCount} migrations applied now")]
    private static partial void LogSchemaReady(ILogger logger, StoreProvider provider, int version, int appliedCount);
}

/// <summary>
/// Startup check of a service that does not own the schema: waits for the owner's migrations, then
/// fails clearly if the schema is still behind this build.
/// </summary>
internal sealed partial class SchemaVersionCheckService(
    StoreConnectionFactory connections,
    SchemaMigrator migrator,
    IOptions<StoreOptions> options,
    TimeProvider time,
    ILogger<SchemaVersionCheckService> logger) : IHostedService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.Value.SchemaWaitTimeout;
        while (true)
        {
            try
            {
                var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    await migrator.EnsureCurrentAsync(connection, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException && time.GetUtcNow() < deadline)
            {
                LogWaitingForSchema(logger, ex.Message);
            }

            await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Waiting for the log store schema: {Reason}")]
    private static partial void LogWaitingForSchema(ILogger logger, string reason);
}
