using System.Net;
using LogPipeline.Data;
using LogPipeline.Tests.Infrastructure;

namespace LogPipeline.Tests.Processor;

/// <summary>
/// Store outages are waited out, never fatal: the processor (its own OS process) stays up while MariaDB
/// is stopped, at start or under load, says why on /health, and afterwards has stored every event once.
/// </summary>
[Collection("mariadb")]
public sealed class StoreOutageTests(MariaDbFixture mariaDb)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task StartedWhileMariaDbIsStoppedWaitsReportsUnhealthyThenStoresEverythingOnce()
    {
        using var temp = new TempFolder();
        var store = StoreQueries.Empty(StoreProvider.MariaDb, temp, mariaDb, "startdown");
        using var kafka = TestKafka.Start();
        var scenario = PipelineScenario.Create(5_000, seed: 61, start: DateTimeOffset.UtcNow.AddMinutes(-20), step: TimeSpan.FromMilliseconds(20), poisonEvery: 1000);
        scenario.ProduceTo(kafka.BootstrapServers);
        var settings = ProcessorHost.Settings(kafka.BootstrapServers, store);
        var log = Path.Combine(temp.Path, "processor.log");
        var port = LoopbackPort.Free();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        mariaDb.Stop();
        try
        {
            using var processor = ProcessorProcess.Start(settings, log, port);

            // It comes up and says why it is not healthy, instead of exiting.
            var (status, body) = await processor.WaitForHealthAsync(http, s => s == HttpStatusCode.ServiceUnavailable, b => b.Contains("not reachable", StringComparison.Ordinal), Timeout);
            Assert.True(status == HttpStatusCode.ServiceUnavailable && body.Contains("not reachable", StringComparison.Ordinal), $"/health: {(int)status} {body}\n{await File.ReadAllTextAsync(log)}");

            await Task.Delay(TimeSpan.FromSeconds(20)); // well past a first connection timeout and several retries
            Assert.False(processor.HasExited, $"the processor exited while the store was down:\n{await File.ReadAllTextAsync(log)}");

            mariaDb.Start();
            Assert.Equal(scenario.Valid.Count, await store.WaitForRawCountAsync(scenario.Valid.Count, Timeout));
            (status, body) = await processor.WaitForHealthAsync(http, s => s == HttpStatusCode.OK, _ => true, Timeout);
            Assert.Equal(HttpStatusCode.OK, status);
            await Task.Delay(TimeSpan.FromSeconds(1)); // anything extra would show up now
            Assert.False(processor.HasExited);
            var text = await File.ReadAllTextAsync(log);
            Assert.Contains("does not answer", text, StringComparison.Ordinal);
        }
        finally
        {
            mariaDb.Start();
        }

        await StoreAssert.MatchesAsync(store, scenario);
    }

    [Fact]
    public async Task MariaDbStoppedUnderLoadLongerThanTheOldGiveUpLosesAndDoublesNothing()
    {
        using var temp = new TempFolder();
        var store = StoreQueries.Empty(StoreProvider.MariaDb, temp, mariaDb, "longoutage");
        using var kafka = TestKafka.Start();
        var scenario = PipelineScenario.Create(30_000, seed: 67, start: DateTimeOffset.UtcNow.AddMinutes(-20), step: TimeSpan.FromMilliseconds(20), poisonEvery: 5000);
        var settings = ProcessorHost.Settings(kafka.BootstrapServers, store);
        settings["Processor:BatchSize"] = "1000";
        settings["Processor:BufferCapacity"] = "4000"; // a small buffer, so the consumer must pause during the stop
        var log = Path.Combine(temp.Path, "processor.log");
        var port = LoopbackPort.Free();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var processor = ProcessorProcess.Start(settings, log, port);
        try
        {
            var producing = Task.Run(() => scenario.ProduceTo(kafka.BootstrapServers));
            Assert.True(await store.WaitForRawCountAsync(3_000, Timeout) >= 3_000, await File.ReadAllTextAsync(log));
            mariaDb.Stop();
            try
            {
                var (status, body) = await processor.WaitForHealthAsync(http, s => s == HttpStatusCode.ServiceUnavailable, b => b.Contains("not reachable", StringComparison.Ordinal), Timeout);
                Assert.True(status == HttpStatusCode.ServiceUnavailable, $"/health during the outage: {(int)status} {body}");

                // The old pipeline gave up after 10 retries (about a minute); this stop is longer.
                await Task.Delay(TimeSpan.FromSeconds(85));
                Assert.False(processor.HasExited, $"the processor exited during the store stop:\n{await File.ReadAllTextAsync(log)}");
            }
            finally
            {
                mariaDb.Start();
            }

            await producing;
            Assert.Equal(scenario.Valid.Count, await store.WaitForRawCountAsync(scenario.Valid.Count, Timeout));
            await Task.Delay(TimeSpan.FromSeconds(1)); // anything extra would show up now
            Assert.False(processor.HasExited);
        }
        finally
        {
            mariaDb.Start();
        }

        await StoreAssert.MatchesAsync(store, scenario);
    }
}
