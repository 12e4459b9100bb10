using System.Net.Sockets;
using LogPipeline.Processor;
using LogPipeline.Processor.Storage;
using Microsoft.Data.Sqlite;
using LogPipeline.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LogPipeline.Tests.Storage;

public sealed class StoreResilienceTests
{
    private static readonly StoreResilienceOptions Fast = new() { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5), MaxRetryAttempts = 3 };

    [Fact]
    public void DatabaseAndNetworkFailuresAreTransientBugsAreNot()
    {
        Assert.True(StoreErrors.IsTransient(new SqliteException("database is locked", 5)));
        Assert.True(StoreErrors.IsTransient(new SqliteException("table is locked", 6)));
        Assert.True(StoreErrors.IsTransient(new IOException("broken pipe")));
        Assert.True(StoreErrors.IsTransient(new TimeoutException()));
        Assert.True(StoreErrors.IsTransient(new SocketException((int)SocketError.ConnectionRefused)));

        Assert.False(StoreErrors.IsTransient(new SqliteException("UNIQUE constraint failed", 19)));
        Assert.False(StoreErrors.IsTransient(new SqliteException("no such table", 1)));
        Assert.False(StoreErrors.IsTransient(new ArgumentException("bad batch")));
        Assert.False(StoreErrors.IsTransient(new InvalidOperationException("bug")));
        Assert.False(StoreErrors.IsTransient(new OperationCanceledException()));
    }

    [Fact]
    public async Task RetriesTransientFailuresUntilTheCallSucceeds()
    {
        var pipeline = StoreResilience.Build(Fast, NullLogger.Instance);
        var calls = 0;

        var result = await pipeline.ExecuteAsync(_ => ++calls < 3 ? throw new SqliteException("database is locked", 5) : ValueTask.FromResult(calls), CancellationToken.None);

        Assert.Equal(3, result);
    }

    [Fact]
    public async Task DoesNotRetryABug()
    {
        var pipeline = StoreResilience.Build(Fast, NullLogger.Instance);
        var calls = 0;

        await Assert.ThrowsAsync<SqliteException>(async () =>
            await pipeline.ExecuteAsync<int>(_ => { calls++; throw new SqliteException("UNIQUE constraint failed", 19); }, CancellationToken.None));

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task GivesUpAfterMaxRetryAttempts()
    {
        var pipeline = StoreResilience.Build(Fast, NullLogger.Instance);
        var calls = 0;

        await Assert.ThrowsAnyAsync<Exception>(async () =>
            await pipeline.ExecuteAsync<int>(_ => { calls++; throw new IOException("down"); }, CancellationToken.None));

        Assert.Equal(Fast.MaxRetryAttempts + 1, calls);
    }

    [Fact]
    public void AddProcessorStoreRegistersOneStoreAndItsJobsWithItsConfiguredResilience()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:logsdb"] = "Data Source=unused.db",
            ["Processor:Resilience:Store:MaxRetryAttempts"] = "3",
            ["Processor:Resilience:Store:BreakDuration"] = "00:00:02",
        });
        builder.AddLogStore();
        builder.AddProcessorStore();
        using var host = builder.Build();

        Assert.Same(host.Services.GetRequiredService<ProcessorStore>(), host.Services.GetRequiredService<ProcessorStore>());
        Assert.Same(host.Services.GetRequiredService<BatchWriter>(), host.Services.GetRequiredService<BatchWriter>());
        Assert.NotNull(host.Services.GetRequiredService<OffsetReader>());
        Assert.NotNull(host.Services.GetRequiredService<LatencyMaterializer>());
        Assert.NotNull(host.Services.GetRequiredService<AnomalyStore>());
        Assert.NotNull(host.Services.GetRequiredService<RetentionPurger>());
        var options = host.Services.GetRequiredService<IOptions<StoreResilienceOptions>>().Value;
        Assert.Equal((3, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(200)), (options.MaxRetryAttempts, options.BreakDuration, options.BaseDelay));
        Assert.Equal(StoreProvider.Sqlite, host.Services.GetRequiredService<BatchWriter>().Provider);
    }
}
