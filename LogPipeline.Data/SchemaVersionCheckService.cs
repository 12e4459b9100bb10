using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LogPipeline.Data;

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
