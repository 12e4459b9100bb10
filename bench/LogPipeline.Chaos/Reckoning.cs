using System.Globalization;
using Confluent.Kafka;
using LogPipeline.Testing;

namespace LogPipeline.Chaos;

/// <summary>
/// Accounts for every record produced, from the producer's delivery reports, the store's rows and the
/// broker's watermarks: stored, dead-lettered, deleted by the embedded broker before anyone read it,
/// or lost.
/// </summary>
public static class Reckoning
{
    public static async Task<ChaosResult> CountAsync(ChaosOptions options, string bootstrapServers, StoreQueries store, ProducedLedger ledger,
        bool caughtUp, int kills, int unexpectedExits, int fencedExits, TimeSpan elapsed)
    {
        var produced = ledger.Records;
        var low = LowWatermarks(bootstrapServers, options.Partitions);

        var stored = await store.ScalarAsync("SELECT COUNT(*) FROM log_events");
        var distinct = await store.ScalarAsync("SELECT COUNT(DISTINCT source_topic, source_partition, source_offset) FROM log_events");
        var storedAt = (await store.RowsAsync($"SELECT source_partition, source_offset FROM log_events WHERE source_topic = '{Topics.Raw}'"))
            .Select(r => ProducedLedger.Position((int)r.Long("source_partition"), r.Long("source_offset")))
            .ToHashSet();

        var deadRows = await store.ScalarAsync("SELECT COUNT(*) FROM dead_letters");
        var deadDistinct = await store.ScalarAsync("SELECT COUNT(DISTINCT source_topic, source_partition, source_offset) FROM dead_letters");
        var deadInStore = (await store.RowsAsync($"SELECT source_partition, source_offset FROM dead_letters WHERE source_topic = '{Topics.Raw}'"))
            .Select(r => ProducedLedger.Position((int)r.Long("source_partition"), r.Long("source_offset")))
            .ToHashSet();
        var (topicRecords, deadOnTopic, topicDeleted) = ReadDeadLetterTopic(bootstrapServers, options.Partitions);

        // The store's table is the record of dead letters (written with the batch, exactly once); the
        // topic may hold a dead letter twice after a crash, and is counted alongside by its keys.
        var deadLettered = deadInStore;

        long valid = 0, lost = 0, brokerDeleted = 0, validDeadLettered = 0;
        var kinds = PoisonCorpus.Kinds.ToDictionary(k => k, _ => new KindCount());
        foreach (var (position, kind) in produced)
        {
            var (partition, offset) = ProducedLedger.Split(position);
            var deleted = offset < low[partition];
            if (kind is null)
            {
                valid++;
                validDeadLettered += deadLettered.Contains(position) ? 1 : 0;
                if (storedAt.Contains(position))
                {
                    continue;
                }

                if (deleted)
                {
                    brokerDeleted++;
                }
                else
                {
                    lost++;
                }

                continue;
            }

            var count = kinds[kind.Value];
            count.Produced++;
            if (storedAt.Contains(position))
            {
                count.Stored++;
            }
            else if (deadLettered.Contains(position))
            {
                count.DeadLettered++;
            }
            else if (deleted)
            {
                count.BrokerDeleted++;
            }
            else
            {
                count.Missing++;
            }
        }

        var notProduced = storedAt.Count(p => !produced.TryGetValue(p, out var kind) || kind is not null);
        return new ChaosResult
        {
            Options = options,
            Elapsed = elapsed,
            CaughtUp = caughtUp,
            Kills = kills,
            UnexpectedExits = unexpectedExits,
            FencedExits = fencedExits,
            NotDelivered = ledger.Failed,
            Produced = valid,
            Stored = stored,
            Distinct = distinct,
            Lost = lost,
            BrokerDeleted = brokerDeleted,
            StoredNotProducedValid = notProduced,
            ValidDeadLettered = validDeadLettered,
            PoisonProduced = kinds.Values.Sum(k => k.Produced),
            PoisonBrokerDeleted = kinds.Values.Sum(k => k.BrokerDeleted),
            DeadLetterRows = deadRows,
            DeadLetterDistinct = deadDistinct,
            DeadLetterTopicRecords = topicRecords,
            DeadLetterTopicDistinct = deadOnTopic.Count,
            DeadLetterTopicDeleted = topicDeleted,
            Kinds = kinds.Select(k => (k.Key, k.Value)).ToList(),
            VolumeSum = await store.ScalarAsync("SELECT COALESCE(SUM(count), 0) FROM volume_minute"),
            OnTimeRows = await store.ScalarAsync("SELECT COUNT(*) FROM log_events WHERE is_late = 0"),
            PipelineStored = await store.ScalarAsync("SELECT COALESCE(SUM(events_stored), 0) FROM pipeline_minute"),
            PipelineDeadLetters = await store.ScalarAsync("SELECT COALESCE(SUM(dead_letters), 0) FROM pipeline_minute"),
            Rollups = await RollupCheck.RunAsync(store),
        };
    }

    private static long[] LowWatermarks(string bootstrapServers, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = "chaos-watermarks" }).Build();
        return Enumerable.Range(0, partitions)
            .Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(Topics.Raw, p), TimeSpan.FromSeconds(10)).Low.Value)
            .ToArray();
    }

    /// <summary>
    /// Every record on the dead-letter topic: how many, their source positions (the key,
    /// <c>topic/partition/offset</c>), and how many the broker already deleted (its low watermarks).
    /// </summary>
    private static (long Records, HashSet<long> Sources, long Deleted) ReadDeadLetterTopic(string bootstrapServers, int partitions)
    {
        using var consumer = new ConsumerBuilder<string?, Ignore>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "chaos-deadletters",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).Build();
        var ends = new Dictionary<int, long>();
        long deleted = 0;
        var assignment = new List<TopicPartitionOffset>();
        for (var p = 0; p < partitions; p++)
        {
            var w = consumer.QueryWatermarkOffsets(new TopicPartition(Topics.DeadLetter, p), TimeSpan.FromSeconds(10));
            deleted += w.Low.Value;
            if (w.High.Value > w.Low.Value)
            {
                ends[p] = w.High.Value;
                assignment.Add(new TopicPartitionOffset(Topics.DeadLetter, p, w.Low));
            }
        }

        consumer.Assign(assignment);
        long records = 0;
        var sources = new HashSet<long>();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (ends.Count > 0 && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(1));
            if (result is null)
            {
                continue;
            }

            if (!result.IsPartitionEOF)
            {
                records++;
                if (result.Message.Key?.Split('/') is [var topic, var partition, var offset] && topic == Topics.Raw)
                {
                    sources.Add(ProducedLedger.Position(int.Parse(partition, CultureInfo.InvariantCulture), long.Parse(offset, CultureInfo.InvariantCulture)));
                }
            }

            if (ends.TryGetValue(result.Partition.Value, out var end) && result.Offset.Value + (result.IsPartitionEOF ? 0 : 1) >= end)
            {
                ends.Remove(result.Partition.Value);
            }
        }

        if (ends.Count > 0)
        {
            throw new TimeoutException($"Could not read {Topics.DeadLetter} to its end within 5 minutes.");
        }

        return (records, sources, deleted);
    }
}
