using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using LogPipeline.Data;
using LogPipeline.Processor;
using LogPipeline.Testing;

namespace LogPipeline.Chaos;

/// <summary>
/// One chaos run: a real MariaDB server, the embedded Kafka cluster and the processors as processes of
/// their own, load with poison in it, the planned kills and store outages while it flows; then it waits
/// until the processors have caught up and accounts for every record (<see cref="Reckoning"/>).
/// </summary>
public sealed class ChaosRun(ChaosOptions options, TextWriter output)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(10);

    private readonly Stopwatch _clock = new();

    public async Task<ChaosResult> RunAsync()
    {
        var folder = options.WorkFolder ?? Path.Combine(Path.GetTempPath(), "logpipeline-chaos-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        _clock.Start();
        Say($"chaos: {options}; process logs in {folder}");

        await using var mariaDb = new MariaDbServer();
        await mariaDb.InitializeAsync();
        var store = new StoreQueries(StoreProvider.MariaDb, mariaDb.CreateDatabase("chaos"));
        using var kafka = KafkaHostProcess.Start(folder, options.Partitions);
        var settings = ProcessorHost.Settings(kafka.BootstrapServers, store);

        // Dead letters of 2 MB records are cut to 512 KiB; compressed they fit the embedded cluster's 5 MiB partitions.
        settings["Kafka:Producer:compression.type"] = "zstd";
        foreach (var (key, value) in options.ProcessorSettings)
        {
            settings[key] = value;
        }

        var groupId = settings.TryGetValue("Kafka:Consumer:group.id", out var g) && g is not null ? g : ProcessorOptions.DefaultGroupId;
        var ledger = new ProducedLedger();
        using (var fleet = new ProcessorFleet(settings, folder, options.Processors, Say))
        {
            fleet.StartAll();
            Say($"MariaDB on port {mariaDb.Port}, Kafka at {kafka.BootstrapServers}, {options.Processors} processors started");
            await ProduceUnderChaosAsync(kafka.BootstrapServers, mariaDb, store, fleet, ledger);
            var caughtUp = await WaitCaughtUpAsync(kafka.BootstrapServers, store, fleet, groupId);
            await Task.Delay(TimeSpan.FromSeconds(2)); // anything written twice would show up now
            fleet.Dispose();
            Say($"processors stopped; counting");
            return await Reckoning.CountAsync(options, kafka.BootstrapServers, store, ledger, caughtUp, fleet.Kills, fleet.UnexpectedExits, fleet.FencedExits, _clock.Elapsed);
        }
    }

    private async Task ProduceUnderChaosAsync(string bootstrapServers, MariaDbServer mariaDb, StoreQueries store, ProcessorFleet fleet, ProducedLedger ledger)
    {
        var random = new Random(options.Seed);
        var plan = ChaosPlan.Create(options, random);
        Say($"producing for {plan.ProduceSeconds:N0} s; plan: {plan}");
        using var stop = new CancellationTokenSource();
        var started = _clock.Elapsed;
        var producing = LoadProducer.RunAsync(bootstrapServers, options, ledger, stop.Token);
        var paused = false;
        var nextProgress = _clock.Elapsed + ProgressEvery;
        try
        {
            foreach (var step in plan.Steps)
            {
                while (_clock.Elapsed - started < step.At)
                {
                    await TickAsync();
                }

                switch (step.Action)
                {
                    case ChaosAction.KillProcessor:
                        fleet.KillOne(random);
                        break;
                    case ChaosAction.PauseStore:
                        mariaDb.Pause();
                        paused = true;
                        Say($"store stopped (SIGSTOP) for {options.StoreStop.TotalSeconds:N0} s");
                        break;
                    case ChaosAction.ResumeStore:
                        mariaDb.Resume();
                        paused = false;
                        Say($"store continued (SIGCONT)");
                        break;
                    case ChaosAction.RestartStore:
                        mariaDb.KillHard();
                        Say($"store killed (kill -9)");
                        mariaDb.Start();
                        Say($"store started again on the same data directory");
                        break;
                }
            }

            while (!producing.IsCompleted)
            {
                await TickAsync();
            }
        }
        finally
        {
            if (paused)
            {
                mariaDb.Resume();
            }

            if (!mariaDb.IsRunning)
            {
                mariaDb.Start();
            }

            if (!producing.IsCompleted)
            {
                await stop.CancelAsync();
            }
        }

        await producing;
        Say($"produced {ledger.Count:N0} records ({ledger.Failed:N0} not delivered)");

        async Task TickAsync()
        {
            if (producing.IsFaulted)
            {
                await producing; // the producer's error, not a hang
            }

            fleet.Supervise();
            if (_clock.Elapsed >= nextProgress)
            {
                nextProgress += ProgressEvery;
                Say($"produced {ledger.Count:N0}, stored {(paused ? "(store stopped)" : (await TryCountAsync(store)).ToString("N0", CultureInfo.InvariantCulture))}");
            }

            await Task.Delay(Tick);
        }
    }

    /// <summary>Until the offsets stored with the data reach every partition's high watermark: consumer-group lag 0 as the store sees it.</summary>
    private async Task<bool> WaitCaughtUpAsync(string bootstrapServers, StoreQueries store, ProcessorFleet fleet, string groupId)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = "chaos-watermarks" }).Build();
        var deadline = _clock.Elapsed + options.CatchUpTimeout;
        var nextProgress = _clock.Elapsed;
        long behind = -1;
        while (_clock.Elapsed < deadline)
        {
            fleet.Supervise();
            var stored = await TryStoredOffsetsAsync(store, groupId);
            if (stored is not null)
            {
                behind = 0;
                for (var p = 0; p < options.Partitions; p++)
                {
                    var high = consumer.QueryWatermarkOffsets(new TopicPartition(Topics.Raw, p), TimeSpan.FromSeconds(10)).High.Value;
                    behind += Math.Max(0, high - stored.GetValueOrDefault(p));
                }

                if (behind == 0)
                {
                    Say($"caught up: the stored offsets equal the high watermarks");
                    return true;
                }
            }

            if (_clock.Elapsed >= nextProgress)
            {
                nextProgress += ProgressEvery;
                Say($"waiting for the processors: {(behind < 0 ? "store not answering" : behind.ToString("N0", CultureInfo.InvariantCulture) + " records behind")}");
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        Say($"NOT caught up within {options.CatchUpTimeout.TotalSeconds:N0} s ({behind:N0} records behind)");
        return false;
    }

    private static async Task<Dictionary<int, long>?> TryStoredOffsetsAsync(StoreQueries store, string groupId)
    {
        try
        {
            return (await store.RowsAsync($"SELECT `partition`, next_offset FROM consumer_offsets WHERE group_id = '{groupId.Replace("'", "''", StringComparison.Ordinal)}' AND topic = '{Topics.Raw}'"))
                .ToDictionary(r => (int)r.Long("partition"), r => r.Long("next_offset"));
        }
        catch (System.Data.Common.DbException)
        {
            return null; // schema not there yet
        }
    }

    private static async Task<long> TryCountAsync(StoreQueries store)
    {
        try
        {
            return await store.RawCountAsync();
        }
        catch (System.Data.Common.DbException)
        {
            return -1;
        }
    }

    private void Say(FormattableString line)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,7:F1} s] ") + line.ToString(CultureInfo.InvariantCulture));
        output.Flush();
    }
}
