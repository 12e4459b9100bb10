using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LogPipeline.Data;

/// <summary>Healthy when the store answers a query and its schema is current.</summary>
internal sealed class StoreHealthCheck(StoreConnectionFactory connections, SchemaMigrator migrator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var version = await migrator.GetCurrentVersionAsync(connection, cancellationToken).ConfigureAwait(false);
                return version >= migrator.LatestVersion
                    ? HealthCheckResult.Healthy($"{connections.Provider}, schema version {version}.")
                    : HealthCheckResult.Unhealthy($"{connections.Provider} schema is at version {version}; this build needs {migrator.LatestVersion}.");
            }
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or IOException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"{connections.Provider} store is not reachable: {ex.Message}", ex);
        }
    }
}
