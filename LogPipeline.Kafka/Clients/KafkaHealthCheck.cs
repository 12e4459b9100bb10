using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LogPipeline.Kafka;

/// <summary>Healthy when a broker answers a metadata request for the raw topic within two seconds.</summary>
public sealed class KafkaHealthCheck(IOptions<KafkaOptions> options) : IHealthCheck, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private readonly Lazy<IAdminClient> admin = new(() =>
    {
        KafkaNative.EnsureLoaded();
        return new AdminClientBuilder(new AdminClientConfig { BootstrapServers = options.Value.BootstrapServers }).Build();
    });

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // GetMetadata blocks; keep it off the caller's thread.
            var metadata = await Task.Run(() => admin.Value.GetMetadata(options.Value.Topics.Raw, Timeout), cancellationToken);
            var topic = metadata.Topics.FirstOrDefault();
            return metadata.Brokers.Count == 0
                ? HealthCheckResult.Unhealthy("No Kafka broker answered.")
                : HealthCheckResult.Healthy($"{metadata.Brokers.Count} broker(s); topic {options.Value.Topics.Raw}: {topic?.Partitions.Count ?? 0} partition(s).");
        }
        catch (KafkaException ex)
        {
            return HealthCheckResult.Unhealthy("Kafka metadata request failed: " + ex.Error.Reason, ex);
        }
    }

    public void Dispose()
    {
        if (admin.IsValueCreated)
        {
            admin.Value.Dispose();
        }
    }
}
