using LogPipeline.Data;
using LogPipeline.Tests.Infrastructure;
using LogPipeline.Processor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LogPipeline.Tests.Processor;

/// <summary>Exactly once in effect: hard kills, a store outage and two instances still give exact, duplicate-free results.</summary>
[Collection("mariadb")]
public sealed class ProcessorFailureTests(MariaDbFixture mariaDb)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task KilledHardAtSeveralPointsUnderLoadThenRestartedStoresEverythingOnce(StoreProvider provider)
    {
        using var temp = new TempFolder();
        var store = StoreQueries.Empty(provider, temp, mariaDb, "crash");
        using var kafka = TestKafka.Start();
        var scenario = PipelineScenario.Create(20_000, seed: 23, start: DateTimeOffset.UtcNow.AddMinutes(-30), step: TimeSpan.FromMilliseconds(20), poisonEvery: 5000);
        scenario.ProduceTo(kafka.BootstrapServers);
        var settings = ProcessorHost.Settings(kafka.BootstrapServers, store);
        settings["Processor:BatchSize"] = "1000"; // many transactions, so kills land between and inside them
        var log = Path.Combine(temp.Path, "processor.log");

        foreach (var killAt in new[] { 3_000, 9_000, 15_000 })
        {
            using var processor = ProcessorProcess.Start(settings, log);
            var reached = await store.WaitForRawCountAsync(killAt, Timeout);
            Assert.True(reached >= killAt, $"processor stalled at {reached} rows before the kill at {killAt}; see {await File.ReadAllTextAsync(log)}");
            processor.KillHard();
        }

        using (var last = ProcessorProcess.Start(settings, log))
        {
            Assert.Equal(scenario.Valid.Count, await store.WaitForRawCountAsync(scenario.Valid.Count, Timeout));
            await Task.Delay(TimeSpan.FromSeconds(1)); // anything extra would show up now
            last.KillHard();
        }

        await StoreAssert.MatchesAsync(store, scenario);
    }

    [Fact]
    public async Task MariaDbStoppedUnderLoadForSecondsThenStartedLosesAndDoublesNothing()
    {
        using var temp = new TempFolder();
        var store = StoreQueries.Empty(StoreProvider.MariaDb, temp, mariaDb, "outage");
        using var kafka = TestKafka.Start();
        var scenario = PipelineScenario.Create(30_000, seed: 31, start: DateTimeOffset.UtcNow.AddMinutes(-20), step: TimeSpan.FromMilliseconds(20), poisonEvery: 5000);
        var settings = ProcessorHost.Settings(kafka.BootstrapServers, store);
        settings["Processor:BatchSize"] = "1000";
        var app = await ProcessorHost.StartAsync(settings);
        try
        {
            // Load arrives while the store goes away and comes back.
            var producing = Task.Run(() => scenario.ProduceTo(kafka.BootstrapServers));
            Assert.True(await store.WaitForRawCountAsync(3_000, Timeout) >= 3_000);
            mariaDb.Stop();
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(6));
            }
            finally
            {
                mariaDb.Start();
            }

            await producing;
            Assert.Equal(scenario.Valid.Count, await store.WaitForRawCountAsync(scenario.Valid.Count, Timeout));
        }
        finally
        {
            if (!mariaDb.IsRunning)
            {
                mariaDb.Start();
            }

            await app.StopAsync();
            await app.DisposeAsync();
        }

        await StoreAssert.MatchesAsync(store, scenario);
    }

    [Fact]
    public async Task AStoreErrorThatIsNotAnOutageStopsTheProcessorWithThatErrorInItsLog()
    {
        // A store that answers with an error no retry can mend (its table is gone) is a bug to stop on,
        // and the log must say which error: once it only said "The store writer has stopped; see its error."
        using var temp = new TempFolder();
        var store = StoreQueries.Empty(StoreProvider.Sqlite, temp, mariaDb, "broken");
        using var kafka = TestKafka.Start();
        var scenario = PipelineScenario.Create(4_000, seed: 37, start: DateTimeOffset.UtcNow.AddMinutes(-10), step: TimeSpan.FromMilliseconds(20), poisonEvery: 1_000_000);
        scenario.ProduceTo(kafka.BootstrapServers, 0, 2_000, TimeSpan.FromSeconds(60));
        var log = Path.Combine(temp.Path, "processor.log");
        using var processor = ProcessorProcess.Start(ProcessorHost.Settings(kafka.BootstrapServers, store), log);
        Assert.Equal(2_000, await store.WaitForRawCountAsync(2_000, Timeout));

        await store.ScalarAsync("DROP TABLE log_events");
        scenario.ProduceTo(kafka.BootstrapServers, 2_000, scenario.Valid.Count, TimeSpan.FromSeconds(60));
        var exited = await Task.Run(() => processor.WaitForExit(Timeout));
        var text = await File.ReadAllTextAsync(log);
        Assert.True(exited, "the processor kept running on a store without its table: " + text);
        // The store's own exception, not only "the writer stopped".
        Assert.True(
            processor.ExitCode == 1 && text.Contains("The processor stops (failed)", StringComparison.Ordinal)
            && text.Contains("no such table: log_events", StringComparison.Ordinal),
            $"exit code {processor.ExitCode}, log: {text}");
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task TwoInstancesInOneGroupSplitThePartitionsAndTogetherStoreEverythingOnce(StoreProvider provider)
    {
        using var temp = new TempFolder();
        var store = StoreQueries.Empty(provider, temp, mariaDb, "pair");
        using var kafka = TestKafka.Start();
        var scenario = PipelineScenario.Create(30_000, seed: 47, start: DateTimeOffset.UtcNow.AddMinutes(-20), step: TimeSpan.FromMilliseconds(20), poisonEvery: 5000);
        var settings = ProcessorHost.Settings(kafka.BootstrapServers, store);
        settings["Processor:BatchSize"] = "1000";
        var first = await ProcessorHost.StartAsync(settings);
        var second = await ProcessorHost.StartAsync(settings);
        try
        {
            var producing = Task.Run(() => scenario.ProduceTo(kafka.BootstrapServers));
            // Both members end up owning partitions (the group needs a rebalance or two for that).
            var deadline = DateTime.UtcNow + Timeout;
            var (a, b) = (Assignment(first), Assignment(second));
            while ((a.Count == 0 || b.Count == 0) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
                (a, b) = (Assignment(first), Assignment(second));
            }

            Assert.NotEmpty(a);
            Assert.NotEmpty(b);
            Assert.Empty(a.Intersect(b));
            await producing;
            Assert.Equal(scenario.Valid.Count, await store.WaitForRawCountAsync(scenario.Valid.Count, Timeout));
        }
        finally
        {
            await first.StopAsync();
            await second.StopAsync();
            await first.DisposeAsync();
            await second.DisposeAsync();
        }

        await StoreAssert.MatchesAsync(store, scenario);
    }

    private static List<int> Assignment(Microsoft.AspNetCore.Builder.WebApplication app) =>
        app.Services.GetServices<IHostedService>().OfType<ProcessorWorker>().Single().Assignment.Select(p => p.Partition.Value).ToList();
}
