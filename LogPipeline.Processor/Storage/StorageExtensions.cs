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
    /// Registers the <see cref="StoreWriter"/> singleton and its <see cref="StoreResilienceOptions"/>
    /// (section <c>Processor:Resilience:Store</c>). Call after <c>AddLogStore()</c>, which registers
    /// the <see cref="StoreConnectionFactory"/> it writes through.
    /// </summary>
    public static IHostApplicationBuilder AddStoreWriter(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<StoreResilienceOptions>().Bind(builder.Configuration.GetSection(StoreResilienceOptions.SectionName));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(sp => new StoreWriter(
            sp.GetRequiredService<StoreConnectionFactory>(),
            sp.GetRequiredService<IOptions<StoreResilienceOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<StoreWriter>>()));
        return builder;
    }
}
