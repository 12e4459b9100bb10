using System.Net.Sockets;
using LogPipeline.Processor.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogPipeline.Tests.Storage;

public sealed class StoreResilienceTests
{
    private static readonly StoreResilienceOptions Fast = new() { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5), MaxRetryAttempts = 3 };

    [Fact]
    public void DatabaseAndNetworkFailuresAreTransientBugsAreNot()
    {
        Assert.True(StoreResilience.IsTransient(new SqliteException("database is locked", 5)));
        Assert.True(StoreResilience.IsTransient(new SqliteException("table is locked", 6)));
        Assert.True(StoreResilience.IsTransient(new IOException("broken pipe")));
        Assert.True(StoreResilience.IsTransient(new TimeoutException()));
        Assert.True(StoreResilience.IsTransient(new SocketException((int)SocketError.ConnectionRefused)));

        Assert.False(StoreResilience.IsTransient(new SqliteException("UNIQUE constraint failed", 19)));
        Assert.False(StoreResilience.IsTransient(new SqliteException("no such table", 1)));
        Assert.False(StoreResilience.IsTransient(new ArgumentException("bad batch")));
        Assert.False(StoreResilience.IsTransient(new InvalidOperationException("bug")));
        Assert.False(StoreResilience.IsTransient(new OperationCanceledException()));
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
}
