using LogPipeline.Data;
using LogPipeline.Tests.Infrastructure;

namespace LogPipeline.Tests.Kafka;

/// <summary>
/// librdkafka's debug logging (<c>debug=cgrp</c>, <c>debug=all</c>) logs from its own threads while a
/// client is still being constructed; our log handler once read the client's name there and the
/// processor died with SIGSEGV (exit 139). The real processor, as its own OS process, must keep running
/// and store everything with either setting.
/// </summary>
public sealed class KafkaDebugLoggingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData("cgrp")]
    [InlineData("all")]
    public async Task ProcessorWithLibrdkafkaDebugLoggingStaysUpAndStoresEverything(string debug)
    {
        using var temp = new TempFolder();
        var store = new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(temp.Path, "debug.db")}");
        using var kafka = TestKafka.Start();
        var scenario = PipelineScenario.Create(2_000, seed: 71, start: DateTimeOffset.UtcNow.AddMinutes(-10), step: TimeSpan.FromMilliseconds(20), poisonEvery: 1000);
        scenario.ProduceTo(kafka.BootstrapServers);
        var settings = ProcessorHost.Settings(kafka.BootstrapServers, store);
        // Both clients: the consumer joins a group (cgrp) and the dead-letter producer sends the poison records.
        settings["Kafka:Consumer:debug"] = debug;
        settings["Kafka:Producer:debug"] = debug;
        var log = Path.Combine(temp.Path, "processor.log");
        using var processor = ProcessorProcess.Start(settings, log);

        var stored = await WaitForRawCountOrExitAsync(store, processor, scenario.Valid.Count);
        Assert.True(!processor.HasExited, $"the processor exited with code {processor.ExitCode} (139: SIGSEGV) after storing {stored} of {scenario.Valid.Count}:\n{Tail(log)}");
        Assert.Equal(scenario.Valid.Count, stored);
        await Task.Delay(TimeSpan.FromSeconds(2)); // a late crash (a rebalance, the statistics timer) would show now
        Assert.True(!processor.HasExited, $"the processor exited with code {processor.ExitCode}:\n{Tail(log)}");
        await StoreAssert.MatchesAsync(store, scenario);
    }

    private static async Task<long> WaitForRawCountOrExitAsync(StoreQueries store, ProcessorProcess processor, long count)
    {
        var deadline = DateTime.UtcNow + Timeout;
        long stored = 0;
        while (DateTime.UtcNow < deadline && !processor.HasExited)
        {
            try
            {
                stored = await store.RawCountAsync();
            }
            catch (Microsoft.Data.Sqlite.SqliteException)
            {
                // the processor has not made the schema yet
            }

            if (stored >= count)
            {
                break;
            }

            await Task.Delay(200);
        }

        return stored;
    }

    // debug=all writes a lot; the end says why it stopped.
    private static string Tail(string path)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "";
        return text.Length > 8000 ? text[^8000..] : text;
    }
}
