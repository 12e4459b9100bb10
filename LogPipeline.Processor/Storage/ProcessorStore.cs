using System.Data.Common;
using LogPipeline.Data;
using Microsoft.Extensions.Options;
using Polly;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// What the processor's store jobs share: connections (one per attempt, none held between calls),
/// the SQL dialect, one resilience pipeline and the clock. Raw ADO.NET on
/// <see cref="StoreConnectionFactory"/>, so every job works on SQLite and on MariaDB without an EF
/// provider. The jobs, each owning its own SQL: <see cref="BatchWriter"/> (batches and their
/// offsets), <see cref="OffsetReader"/> (offsets on assignment), <see cref="LatencyMaterializer"/>
/// and <see cref="AnomalyStore"/> (the window closer), <see cref="RetentionPurger"/> (retention).
/// </summary>
/// <remarks>
/// One pipeline for all jobs on purpose: its circuit breaker then sees every failure of the store,
/// whichever job met it.
/// </remarks>
public sealed class ProcessorStore
{
    private readonly StoreConnectionFactory _connections;
    private readonly ResiliencePipeline _resilience;
    private readonly TimeProvider _time;

    public ProcessorStore(StoreConnectionFactory connections, IOptions<StoreResilienceOptions> resilience, TimeProvider time, ILogger<ProcessorStore> logger)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(resilience);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        // MariaDB raw events are bulk-loaded (MariaDbBulkLoad), which the driver allows only when asked to.
        _connections = connections.WithLocalInfile();
        _resilience = StoreResilience.Build(resilience.Value, logger);
        _time = time;
        Dialect = StoreSqlDialect.For(connections.Provider);
    }

    public StoreProvider Provider => _connections.Provider;

    internal StoreSqlDialect Dialect { get; }

    internal DateTime UtcNow => _time.GetUtcNow().UtcDateTime;

    /// <summary>Runs <paramref name="operation"/> inside the resilience pipeline, on a fresh open connection per attempt.</summary>
    internal async Task<T> RunAsync<T>(Func<DbConnection, CancellationToken, Task<T>> operation, CancellationToken ct) =>
        await _resilience.ExecuteAsync(
            static async (state, token) =>
            {
                var connection = await state.Store._connections.OpenAsync(token).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    return await state.Operation(connection, token).ConfigureAwait(false);
                }
            },
            (Store: this, Operation: operation),
            ct).ConfigureAwait(false);
}
