using LogPipeline.Data;
using LogPipeline.Processor.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LogPipeline.Tests.Storage;

/// <summary>The processor's store jobs on one <see cref="ProcessorStore"/>, as AddProcessorStore makes them, for tests that call them directly.</summary>
internal sealed class StoreJobs
{
    public StoreJobs(StoreConnectionFactory connections, StoreResilienceOptions? resilience = null)
    {
        Store = new ProcessorStore(connections, Options.Create(resilience ?? new StoreResilienceOptions()), TimeProvider.System, NullLogger<ProcessorStore>.Instance);
        Batches = new BatchWriter(Store, NullLogger<BatchWriter>.Instance);
        Offsets = new OffsetReader(Store);
        Latency = new LatencyMaterializer(Store);
        Anomalies = new AnomalyStore(Store);
        Retention = new RetentionPurger(Store);
    }

    public ProcessorStore Store { get; }

    public BatchWriter Batches { get; }

    public OffsetReader Offsets { get; }

    public LatencyMaterializer Latency { get; }

    public AnomalyStore Anomalies { get; }

    public RetentionPurger Retention { get; }
}
