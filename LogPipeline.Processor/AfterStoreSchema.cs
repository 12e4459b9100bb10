using LogPipeline.Data;

namespace LogPipeline.Processor;

/// <summary>
/// Starts a hosted service once <see cref="StoreSchemaGate"/> is open: at once when the schema was
/// migrated during start (the store answered), otherwise when the store answers, so the host (and its
/// /health) runs meanwhile. A background service's failure is this service's failure, so the host
/// still stops on it (BackgroundServiceExceptionBehavior).
/// </summary>
/// <remarks>Generic in the inner type: AddHostedService registers one hosted service per implementation type.</remarks>
internal sealed class AfterStoreSchema<T>(StoreSchemaGate gate, T inner) : BackgroundService
    where T : IHostedService
{
    private volatile bool _started;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await gate.Ready.WaitAsync(stoppingToken).ConfigureAwait(false);
        await inner.StartAsync(stoppingToken).ConfigureAwait(false);
        _started = true;
        if (inner is BackgroundService { ExecuteTask: { } running })
        {
            await running.ConfigureAwait(false);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_started)
        {
            await inner.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

}
