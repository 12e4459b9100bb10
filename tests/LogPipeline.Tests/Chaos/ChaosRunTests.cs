using LogPipeline.Chaos;
using Xunit.Abstractions;

namespace LogPipeline.Tests.Chaos;

/// <summary>
/// A short run of the chaos command (bench/LogPipeline.Chaos): the processors, the Kafka cluster and
/// MariaDB as processes of their own, processors killed under load, the store frozen and killed, every
/// poison kind; every record accounted for.
/// </summary>
public sealed class ChaosRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task KilledProcessorsAFrozenAndAKilledStoreAndEveryPoisonKindLoseAndDoubleNothing()
    {
        using var temp = new TempFolder();
        var log = new StringWriter();
        var options = new ChaosOptions
        {
            Events = 30_000,
            Rate = 500,
            Poison = 200,
            Kills = 3,
            Processors = 2,
            StoreStop = TimeSpan.FromSeconds(20),
            StoreRestart = true,
            CatchUpTimeout = TimeSpan.FromMinutes(5),
            WorkFolder = temp.Path,
        };

        var result = await new ChaosRun(options, log).RunAsync();
        result.Write(log);
        output.WriteLine(log.ToString());

        var report = log.ToString();
        Assert.True(result.CaughtUp, report);
        Assert.Equal(3, result.Kills);
        // A processor whose batch is fenced (another one stored those partitions after a rebalance)
        // stops by design and the run restarts it (FencedExits, reported); any other exit is a failure.
        Assert.Equal(0, result.UnexpectedExits);
        Assert.Equal(options.Events, result.Produced);
        Assert.Equal(0, result.BrokerDeleted); // sized well inside the embedded cluster's 5 MiB per partition
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Duplicated);
        Assert.Equal(result.Produced, result.Distinct);
        Assert.Equal(0, result.StoredNotProducedValid);
        Assert.True(result.AggregatesMatch, report);

        Assert.Equal(options.Poison, result.PoisonProduced);
        Assert.All(result.Kinds, k => Assert.True(k.Count.Produced > 0 && k.Count.DeadLettered == k.Count.Produced, $"{k.Kind}: {k.Count.DeadLettered} of {k.Count.Produced} dead-lettered\n{report}"));

        // Once in the store; the topic may repeat one after a crash, but its keys cover them all.
        Assert.Equal(options.Poison, result.DeadLetterRows);
        Assert.Equal(options.Poison, result.DeadLetterDistinct);
        Assert.Equal(0, result.DeadLetterTopicDeleted);
        Assert.Equal(options.Poison, result.DeadLetterTopicDistinct);
        Assert.True(result.Passed, report);
    }
}
