using LogPipeline.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LogPipeline.Processor.Storage;

public static class StorageExtensions
{
    /// <summary>
    /// Registers the <see cref="ProcessorStore"/> singleton with its <see cref="StoreResilienceOptions"/>
    /// (section <c>Processor:Resilience:Store</c>) and one singleton per store job on it:
    /// <see cref="BatchWriter"/>, <see cref="OffsetReader"/>, <see cref="LatencyMaterializer"/>,
    /// <see cref="AnomalyStore"/>, <see cref="RetentionPurger"/>. Call after <c>AddLogStore()</c>,
    /// which registers the <see cref="StoreConnectionFactory"/> they all go through.
    /// </summary>
    public static IHostApplicationBuilder AddProcessorStore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<StoreResilienceOptions>().Bind(builder.Configuration.GetSection(StoreResilienceOptions.SectionName));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(sp => new ProcessorStore(
            sp.GetRequiredService<StoreConnectionFactory>(),
            sp.GetRequiredService<IOptions<StoreResilienceOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ProcessorStore>>()));
        builder.Services.TryAddSingleton<BatchWriter>();
        builder.Services.TryAddSingleton<OffsetReader>();
        builder.Services.TryAddSingleton<LatencyMaterializer>();
        builder.Services.TryAddSingleton<AnomalyStore>();
        builder.Services.TryAddSingleton<RetentionPurger>();
        return builder;
    }
}
