using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LogPipeline.Kafka;

/// <summary>
/// Healthy when a broker answers a metadata request for the raw topic within two seconds. One
/// instance per process (a singleton), so one admin client serves every check.
/// </summary>
public sealed class KafkaHealthCheck(IOptions<KafkaOptions> options) : IHealthCheck, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private readonly Lazy<IAdminClient> _admin = new(() =>
    {
        KafkaNative.EnsureLoaded();
        // Its own reconnect errors would repeat what the consumer and producer already log.
        return new AdminClientBuilder(new AdminClientConfig { BootstrapServers = options.Value.BootstrapServers, LogConnectionClose = false })
            .SetLogHandler(static (_, _) => { })
            .Build();
    });

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var bootstrap = options.Value.BootstrapServers;
        try
        {
            // GetMetadata blocks; keep it off the caller's thread.
            var metadata = await Task.Run(() => _admin.Value.GetMetadata(options.Value.Topics.Raw, Timeout), cancellationToken);
            var topic = metadata.Topics.FirstOrDefault();
            return metadata.Brokers.Count == 0
                ? HealthCheckResult.Unhealthy($"Kafka is not reachable at {bootstrap}: no broker answered.")
                : HealthCheckResult.Healthy($"{metadata.Brokers.Count} broker(s); topic {options.Value.Topics.Raw}: {topic?.Partitions.Count ?? 0} partition(s).");
        }
        catch (KafkaException ex)
        {
            return HealthCheckResult.Unhealthy($"Kafka is not reachable at {bootstrap}: {ex.Error.Reason}", ex);
        }
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
