namespace LogPipeline.Tests.Infrastructure;

/// <summary>The shared <see cref="MariaDbServer"/> as an xunit fixture: started before the first test of the collection, stopped after the last.</summary>
public sealed class MariaDbFixture : MariaDbServer, IAsyncLifetime
{
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}
