using System.Buffers.Binary;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using LogPipeline.Data;
using LogPipeline.Formats;
using LogPipeline.Processor.Storage;
using LogPipeline.Tests.Infrastructure;

namespace LogPipeline.Tests.Storage;

/// <summary>
/// The processor's store jobs against both engines: SQLite in a temp file and the shared real
/// MariaDB server (its own database per test). In the "mariadb" collection, so the outage test never
/// stops the server under another test.
/// </summary>
[Collection("mariadb")]
public sealed class ProcessorStoreTests(MariaDbFixture mariaDb) : IDisposable
{
    private const string Group = "processor";
    private const string Topic = "logs.raw";
    private static readonly DateTime Minute = new(2025, 3, 4, 10, 15, 0, DateTimeKind.Utc);

    private readonly string _folder = Directory.CreateTempSubdirectory("logpipeline-writer-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task WritesExactlyTheBatchsEventsAggregatesAndOffsets(StoreProvider provider)
    {
        var (writer, store) = await CreateStoreAsync(provider, "exact");
        var batch = Batch(PartitionProgress.NoOffset, 0, 1_234, watermark: Minute.AddSeconds(42));

        Assert.Empty(await writer.Batches.WriteAsync(batch, CancellationToken.None));

        var events = await QueryAsync(store, "SELECT source_offset, message, level, http_status, trace_id, is_late, timestamp_utc FROM log_events ORDER BY source_offset");
        Assert.Equal(Enumerable.Range(0, 1_234).Select(i => (long)i), events.Select(e => e.Long("source_offset")));
        Assert.Equal("request 17 failed ⏱", events[17]["message"]);
        Assert.Equal((long)LogLevel.Error, events[17].Long("level"));
        Assert.Equal(503L, events[17].Long("http_status"));
        Assert.Equal("0123456789abcdef0123456789abcdef", events[17]["trace_id"]);
        Assert.Equal(Minute.AddMilliseconds(17).AddTicks(170), events[17].Time("timestamp_utc"));
        Assert.Equal(1_234, events.Count(e => e.Long("is_late") == 0));

        await AssertAggregatesAsync(store, events: 1_234, firstSeen: Minute, lastSeen: Minute.AddMilliseconds(1_233));
        var offset = Assert.Single(await QueryAsync(store, "SELECT next_offset, watermark_utc FROM consumer_offsets"));
        Assert.Equal(1_234L, offset.Long("next_offset"));
        Assert.Equal(Minute.AddSeconds(42), offset.Time("watermark_utc"));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task SecondBatchAddsItsDeltasToTheFirst(StoreProvider provider)
    {
        var (writer, store) = await CreateStoreAsync(provider, "deltas");

        Assert.Empty(await writer.Batches.WriteAsync(Batch(PartitionProgress.NoOffset, 0, 3), CancellationToken.None));
        var second = Batch(3, 3, 2, template: "a different template");
        second.Fingerprints[0].FirstSeenUtc = Minute.AddMinutes(-5);
        Assert.Empty(await writer.Batches.WriteAsync(second, CancellationToken.None));

        Assert.Equal(5, await CountAsync(store, "log_events"));
        await AssertAggregatesAsync(store, events: 5, firstSeen: Minute.AddMinutes(-5), lastSeen: Minute.AddMilliseconds(4));
        var fingerprint = Assert.Single(await QueryAsync(store, "SELECT template FROM error_fingerprints"));
        Assert.Equal("request <n> failed", fingerprint["template"]);
        Assert.Equal(5L, (await writer.Offsets.ReadOffsetsAsync(Group, Topic, [0], CancellationToken.None))[(Topic, 0)].NextOffset);
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task StaleBatchIsFencedAndChangesNothing(StoreProvider provider)
    {
        var (writer, store) = await CreateStoreAsync(provider, "fenced");
        Assert.Empty(await writer.Batches.WriteAsync(Batch(PartitionProgress.NoOffset, 0, 3), CancellationToken.None));
        var before = await SnapshotAsync(store);

        // A writer that lost the partition and still covers [0, 2) from scratch.
        var fenced = await writer.Batches.WriteAsync(Batch(PartitionProgress.NoOffset, 0, 2), CancellationToken.None);

        Assert.Equal([new FencedPartition(Topic, 0, 3)], fenced);
        Assert.Equal(before, await SnapshotAsync(store));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task OneFencedPartitionKeepsTheWholeBatchOut(StoreProvider provider)
    {
        var (writer, store) = await CreateStoreAsync(provider, "fencedpart");
        Assert.Empty(await writer.Batches.WriteAsync(Batch(PartitionProgress.NoOffset, 0, 3, partition: 1), CancellationToken.None));
        var before = await SnapshotAsync(store);

        // Partition 0 is fresh, partition 1 is stale (expects 1 but 3 is stored).
        var batch = Batch(PartitionProgress.NoOffset, 0, 4, partition: 0);
        var stale = Batch(1, 1, 2, partition: 1);
        batch.Events.AddRange(stale.Events);
        batch.Offsets.AddRange(stale.Offsets);
        var fenced = await writer.Batches.WriteAsync(batch, CancellationToken.None);

        Assert.Equal([new FencedPartition(Topic, 1, 3)], fenced);
        Assert.Equal(before, await SnapshotAsync(store));
        Assert.False((await writer.Offsets.ReadOffsetsAsync(Group, Topic, [0], CancellationToken.None)).ContainsKey((Topic, 0)));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task TwoProcessesRacingForAPartitionStoreItOnce(StoreProvider provider)
    {
        var (writer, store) = await CreateStoreAsync(provider, "race");
        var (other, _) = await CreateStoreAsync(provider, "race", reuse: store);
        Assert.Empty(await writer.Batches.WriteAsync(Batch(PartitionProgress.NoOffset, 0, 2), CancellationToken.None));

        // Both expect offset 2; one covers [2, 5), the other [2, 9).
        var results = await Task.WhenAll(
            Task.Run(() => writer.Batches.WriteAsync(Batch(2, 2, 3), CancellationToken.None)),
            Task.Run(() => other.Batches.WriteAsync(Batch(2, 2, 7), CancellationToken.None)));

        Assert.Single(results, r => r.Count == 0);
        var loser = Assert.Single(results, r => r.Count > 0);
        var stored = Assert.Single(loser).StoredNextOffset;
        Assert.Contains(stored, new long[] { 5, 9 });
        var offsets = await QueryAsync(store, "SELECT source_offset FROM log_events ORDER BY source_offset");
        Assert.Equal(Enumerable.Range(0, (int)stored).Select(i => (long)i), offsets.Select(o => o.Long("source_offset")));
        await AssertAggregatesAsync(store, events: stored, firstSeen: Minute, lastSeen: Minute.AddMilliseconds(stored - 1));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task RetriedBatchThatHadCommittedIsTreatedAsSuccess(StoreProvider provider)
    {
        var (writer, store) = await CreateStoreAsync(provider, "retried");
        Assert.Empty(await writer.Batches.WriteAsync(Batch(PartitionProgress.NoOffset, 0, 3), CancellationToken.None));

        // What a retry after a lost COMMIT acknowledgement sends again: the same batch, here with a
        // second partition that the batch did not move (stored 0, expected 0, next 0).
        var idle = new PartitionProgress(Topic, 6, 0, 0, null);
        var first = new PartitionProgress(Topic, 6, PartitionProgress.NoOffset, 0, null);
        Assert.Empty(await writer.Batches.WriteAsync(new StoreBatch { GroupId = Group, Offsets = { first } }, CancellationToken.None));
        var batch = Batch(3, 3, 4);
        batch.Offsets.Add(idle);
        Assert.Empty(await writer.Batches.WriteAsync(batch, CancellationToken.None));
        var before = await SnapshotAsync(store);

        Assert.Empty(await writer.Batches.WriteAsync(batch, CancellationToken.None));

        Assert.Equal(before, await SnapshotAsync(store));
        Assert.Equal(7, await CountAsync(store, "log_events"));
        await AssertAggregatesAsync(store, events: 7, firstSeen: Minute, lastSeen: Minute.AddMilliseconds(6));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task DuplicateEventOffsetFailsLoudlyWithoutRetrying(StoreProvider provider)
    {
        var (writer, store) = await CreateStoreAsync(provider, "duplicate");
        Assert.Empty(await writer.Batches.WriteAsync(Batch(PartitionProgress.NoOffset, 0, 3), CancellationToken.None));

        // Offsets say 3 is next, yet offset 4 is already there: a bug somewhere, never a retry.
        await ExecuteAsync(store, "UPDATE log_events SET source_offset = 4 WHERE source_offset = 2");

        await Assert.ThrowsAnyAsync<DbException>(() => writer.Batches.WriteAsync(Batch(3, 3, 3), CancellationToken.None));
        Assert.Equal(3, await CountAsync(store, "log_events"));
        Assert.Equal(3L, (await writer.Offsets.ReadOffsetsAsync(Group, Topic, [0], CancellationToken.None))[(Topic, 0)].NextOffset);
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task UnicodeAndHugeValuesRoundTripTruncatedToTheStoreLimits(StoreProvider provider)
    {
        var (writer, store) = await CreateStoreAsync(provider, "unicode");
        const string Rocket = "🚀";
        var emoji = "Zürich 日本語 ✓ " + Rocket + " naïve";
        var hugeAscii = new string('x', 70_000);
        var hugeEmoji = "a" + string.Concat(Enumerable.Repeat(Rocket, 35_000));
        var longService = string.Concat(Enumerable.Repeat("ö" + Rocket, 60));

        var batch = Batch(PartitionProgress.NoOffset, 0, 3);
        batch.Events[0].Message = emoji;
        batch.Events[1].Message = hugeAscii;
        batch.Events[1].AttributesJson = hugeAscii;
        batch.Events[2].Message = hugeEmoji;
        batch.Events[2].Service = longService;
        batch.Fingerprints[0].SampleMessage = hugeEmoji;
        Assert.Empty(await writer.Batches.WriteAsync(batch, CancellationToken.None));

        var events = await QueryAsync(store, "SELECT message, attributes_json, service FROM log_events ORDER BY source_offset");
        Assert.Equal(emoji, events[0]["message"]);
        Assert.Equal(hugeAscii[..StoreLimits.TextLength], events[1]["message"]);
        Assert.Equal(hugeAscii[..StoreLimits.TextLength], events[1]["attributes_json"]);

        // 16,000 UTF-16 units would end inside a surrogate pair: the pair is dropped whole.
        var expectedEmoji = "a" + string.Concat(Enumerable.Repeat(Rocket, (StoreLimits.TextLength - 1) / 2));
        Assert.Equal(expectedEmoji, events[2]["message"]);
        Assert.Equal(string.Concat(Enumerable.Repeat("ö" + Rocket, 33)) + "ö", events[2]["service"]);
        Assert.Equal(expectedEmoji, Assert.Single(await QueryAsync(store, "SELECT sample_message FROM error_fingerprints"))["sample_message"]);
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task DeadLettersAreStoredOnceWithTheirBatchCutToTheirColumns(StoreProvider provider)
    {
        var (writer, store) = await CreateStoreAsync(provider, "deadletters");
        var batch = WithDeadLetters(Batch(PartitionProgress.NoOffset, 0, 3), DeadLetter(3, "invalid-utf8"), DeadLetter(4, "too-long"));
        batch.DeadLetters[1].Detail = new string('d', 5_000);
        batch.DeadLetters[1].RecordKey = "k" + string.Concat(Enumerable.Repeat("🚀", 600));

        Assert.Empty(await writer.Batches.WriteAsync(batch, CancellationToken.None));
        // A retry after a lost COMMIT acknowledgement: already stored, so nothing is added.
        Assert.Empty(await writer.Batches.WriteAsync(batch, CancellationToken.None));

        var rows = await QueryAsync(store, "SELECT source_topic, source_partition, source_offset, reason, detail, record_key, host, value_size, value_sha256, preview, " +
            "record_time_utc, dead_lettered_at_utc FROM dead_letters ORDER BY source_offset");
        Assert.Equal(2, rows.Count);
        Assert.Equal((Topic, 0L, 3L, "invalid-utf8", "detail of 3"), (rows[0].Text("source_topic"), rows[0].Long("source_partition"), rows[0].Long("source_offset"), rows[0].Text("reason"), rows[0].Text("detail")));
        Assert.Equal(("orders", "orders-1", 4L, new string('a', 64), "{␀}"), (rows[0].Text("record_key"), rows[0].Text("host"), rows[0].Long("value_size"), rows[0].Text("value_sha256"), rows[0].Text("preview")));
        Assert.Equal((Minute.AddSeconds(3), Minute.AddMinutes(1)), (rows[0].Time("record_time_utc"), rows[0].Time("dead_lettered_at_utc")));
        Assert.Equal(new string('d', StoreLimits.DeadLetterDetailLength), rows[1]["detail"]);
        Assert.Equal("k" + string.Concat(Enumerable.Repeat("🚀", (StoreLimits.DeadLetterKeyLength - 1) / 2)), rows[1]["record_key"]);
        Assert.Equal(3, await CountAsync(store, "log_events"));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task ReplayedDeadLettersOfTheSameSourcePositionsAreNotDoubled(StoreProvider provider)
    {
        var (writer, store) = await CreateStoreAsync(provider, "deadreplay");
        Assert.Empty(await writer.Batches.WriteAsync(
            WithDeadLetters(new StoreBatch { GroupId = Group }, DeadLetter(0, "empty"), DeadLetter(1, "unknown-format"), DeadLetter(2, "empty", partition: 1)),
            CancellationToken.None));

        // The same records read again by a group that starts from scratch (a reset, a second group):
        // its offsets pass the fence, the dead letters' source positions are taken; the first record stands.
        var replay = WithDeadLetters(new StoreBatch { GroupId = "another-group" }, DeadLetter(1, "missing-field"), DeadLetter(2, "empty", partition: 1), DeadLetter(5, "empty"));
        Assert.Empty(await writer.Batches.WriteAsync(replay, CancellationToken.None));

        var rows = await QueryAsync(store, "SELECT source_partition, source_offset, reason FROM dead_letters ORDER BY source_partition, source_offset");
        Assert.Equal(["0/0/empty", "0/1/unknown-format", "0/5/empty", "1/2/empty"], rows.Select(r => $"{r.Long("source_partition")}/{r.Long("source_offset")}/{r["reason"]}"));
        Assert.Equal(6L, Assert.Single(await QueryAsync(store, "SELECT next_offset FROM consumer_offsets WHERE group_id = 'another-group' AND topic = 'logs.raw' ORDER BY next_offset DESC LIMIT 1")).Long("next_offset"));

        // A dead letter outside the partitions the batch covers is a bug in the caller.
        var stray = WithDeadLetters(new StoreBatch { GroupId = "third-group" }, DeadLetter(0, "empty"));
        stray.DeadLetters.Add(DeadLetter(9, "empty", partition: 7));
        await Assert.ThrowsAsync<ArgumentException>(() => writer.Batches.WriteAsync(stray, CancellationToken.None));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task MaterializedLatencyIsThePercentileOfTheSummedBins(StoreProvider provider)
    {
        var (writer, store) = await CreateStoreAsync(provider, "latency");
        var random = new Random(5);
        var all = new List<(DateTime Minute, string Service, int Bin, long Count)>();
        long next = 0;
        for (var b = 0; b < 3; b++)
        {
            var batch = Batch(b == 0 ? PartitionProgress.NoOffset : next, next, 1);
            batch.LatencyHistogram.Clear();
            foreach (var (minute, service) in new[] { (Minute, "orders"), (Minute, "billing"), (Minute.AddMinutes(1), "orders"), (Minute.AddMinutes(2), "orders") })
            {
                foreach (var group in Enumerable.Range(0, 400).Select(_ => LatencyHistogram.BinOf(Math.Exp((random.NextDouble() * 8) - 1))).GroupBy(x => x))
                {
                    batch.LatencyHistogram.Add(new LatencyHistogramMinute { BucketStartUtc = minute, Service = service, Bin = (short)group.Key, Count = group.Count() });
                    all.Add((minute, service, group.Key, group.Count()));
                }
            }

            Assert.Empty(await writer.Batches.WriteAsync(batch, CancellationToken.None));
            next++;
        }

        Assert.Equal(3, await writer.Latency.MaterializeLatencyAsync(Minute, Minute.AddMinutes(2), CancellationToken.None));
        var first = await QueryAsync(store, "SELECT bucket_start_utc, service, count, p50_ms, p95_ms, p99_ms FROM latency_minute ORDER BY bucket_start_utc, service");
        Assert.Equal(3, await writer.Latency.MaterializeLatencyAsync(Minute, Minute.AddMinutes(2), CancellationToken.None));
        var again = await QueryAsync(store, "SELECT bucket_start_utc, service, count, p50_ms, p95_ms, p99_ms FROM latency_minute ORDER BY bucket_start_utc, service");

        Assert.Equal(first.Select(r => string.Join('|', r.Values)), again.Select(r => string.Join('|', r.Values)));
        Assert.Equal(3, first.Count);
        foreach (var row in first)
        {
            var bins = all.Where(x => x.Minute == row.Time("bucket_start_utc") && x.Service == row.Text("service")).Select(x => (x.Bin, x.Count)).ToList();
            Assert.Equal(bins.Sum(x => x.Count), row.Long("count"));
            Assert.Equal(LatencyHistogram.Percentile(bins, 0.50), row.Double("p50_ms"));
            Assert.Equal(LatencyHistogram.Percentile(bins, 0.95), row.Double("p95_ms"));
            Assert.Equal(LatencyHistogram.Percentile(bins, 0.99), row.Double("p99_ms"));
        }

        Assert.DoesNotContain(first, r => r.Time("bucket_start_utc") == Minute.AddMinutes(2));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task PurgeDeletesOnlyWhatIsOlderThanTheCutoffs(StoreProvider provider)
    {
        var (writer, store) = await CreateStoreAsync(provider, "purge");

        // 10,500 old events (more than one purge chunk) and 20 recent ones; an old dead letter and a recent one.
        const int Old = 10_500;
        var oldDeadLetter = DeadLetter(Old + 20, "empty");
        oldDeadLetter.DeadLetteredAtUtc = Minute.AddHours(-1);
        var batch = WithDeadLetters(Batch(PartitionProgress.NoOffset, 0, Old + 20), oldDeadLetter, DeadLetter(Old + 21, "too-long"));
        for (var i = 0; i < batch.Events.Count; i++)
        {
            batch.Events[i].TimestampUtc = i < Old ? Minute.AddHours(-2).AddMilliseconds(i) : Minute.AddSeconds(i - Old);
        }

        batch.Volume.Add(new VolumeMinute { BucketStartUtc = Minute.AddDays(-10), Service = "orders", Level = LogLevel.Info, Count = 1, Bytes = 1 });
        batch.HttpStatus.Add(new HttpStatusMinute { BucketStartUtc = Minute.AddDays(-10), Service = "orders", StatusClass = 2, Count = 1 });
        batch.LatencyHistogram.Add(new LatencyHistogramMinute { BucketStartUtc = Minute.AddDays(-10), Service = "orders", Bin = 3, Count = 1 });
        batch.Pipeline.Add(new PipelineMinute { BucketStartUtc = Minute.AddDays(-10), EventsIn = 1 });
        Assert.Empty(await writer.Batches.WriteAsync(batch, CancellationToken.None));
        Assert.Equal(2, await writer.Latency.MaterializeLatencyAsync(Minute.AddDays(-11), Minute.AddMinutes(1), CancellationToken.None));
        var aggregateRows = await AggregateRowCountAsync(store);

        var (raw, deadLetters, aggregates) = await writer.Retention.PurgeAsync(Minute, Minute.AddDays(-1), CancellationToken.None);

        Assert.Equal(Old, raw);
        Assert.Equal(1, deadLetters);
        Assert.Equal("too-long", Assert.Single(await QueryAsync(store, "SELECT reason FROM dead_letters"))["reason"]);
        // The five old minute rows, and the two hour and two five-minute rows the writer summed from them
        // (volume_hour, latency_histogram_hour, volume_5m, latency_histogram_5m).
        Assert.Equal(9, aggregates);
        Assert.Equal(20, await CountAsync(store, "log_events"));
        Assert.Equal(aggregateRows - 5, await AggregateRowCountAsync(store));
        Assert.Equal(0L, Assert.Single(await QueryAsync(store, "SELECT COUNT(*) AS count FROM volume_minute WHERE bucket_start_utc < @cutoff", Minute)).Long("count"));
        Assert.Equal((0, 0, 0), await writer.Retention.PurgeAsync(Minute, Minute.AddDays(-1), CancellationToken.None));
        Assert.Equal(1, await CountAsync(store, "error_fingerprints"));
    }

    /// <summary>
    /// More aggregate rows than one statement takes (on MariaDB they are staged with LOAD DATA and
    /// merged with one INSERT ... SELECT): added to the stored rows, services that the key's collation
    /// takes for one merged, first and last seen kept as min and max, as a few rows are.
    /// </summary>
    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task ManyAggregateRowsMergeAsAFewDo(StoreProvider provider)
    {
        var (writer, store) = await CreateStoreAsync(provider, "many");
        string[] services = ["svc-0", "svc-1", "svc-2", "SVC-0"];
        StoreBatch Many(long expected, long first, int shift)
        {
            var batch = Batch(expected, first, 10);
            for (var s = 0; s < services.Length; s++)
            {
                for (short bin = 0; bin < (s < 3 ? 400 : 100); bin++)
                {
                    batch.LatencyHistogram.Add(new LatencyHistogramMinute { BucketStartUtc = Minute, Service = services[s], Bin = bin, Count = bin + 1 + s });
                }
            }

            for (var f = 0; f < 700; f++)
            {
                batch.Fingerprints.Add(new ErrorFingerprint
                {
                    Service = "svc-9", Fingerprint = f, Template = "t " + f.ToString(CultureInfo.InvariantCulture), Count = 1, Level = LogLevel.Error,
                    FirstSeenUtc = Minute.AddSeconds(-shift), LastSeenUtc = Minute.AddSeconds(shift), SampleMessage = "m",
                });
            }

            return batch;
        }

        Assert.Empty(await writer.Batches.WriteAsync(Many(PartitionProgress.NoOffset, 0, shift: 1), CancellationToken.None));
        Assert.Empty(await writer.Batches.WriteAsync(Many(10, 10, shift: 5), CancellationToken.None));

        var expected = new Dictionary<(string, long), long>();
        for (var s = 0; s < services.Length; s++)
        {
            for (var bin = 0; bin < (s < 3 ? 400 : 100); bin++)
            {
                var key = (services[s].ToLowerInvariant(), (long)bin);
                expected[key] = expected.GetValueOrDefault(key) + (2 * (bin + 1 + s));
            }
        }

        var orders = ("orders", (long)LatencyHistogram.BinOf(12.5));
        expected[orders] = expected.GetValueOrDefault(orders) + 20;
        var minutes = (await QueryAsync(store, "SELECT LOWER(service) AS service, bin, SUM(count) AS count FROM latency_histogram_minute GROUP BY LOWER(service), bin"))
            .ToDictionary(r => (r.Text("service"), r.Long("bin")), r => r.Long("count"));
        Assert.Equal(expected.OrderBy(p => p.Key), minutes.OrderBy(p => p.Key));

        // MariaDB's key compares case-insensitively: SVC-0's bins are svc-0's rows. SQLite's does not.
        Assert.Equal(provider == StoreProvider.MariaDb ? 1_201 : 1_301, await CountAsync(store, "latency_histogram_minute"));

        // The hour's and the five minutes' packed bins: the first batch wrote new rows, the second merged
        // into the stored ones (SVC-0 into svc-0's on MariaDB).
        foreach (var table in new[] { "latency_histogram_hour", "latency_histogram_5m" })
        {
            var packed = new Dictionary<(string, long), long>();
            foreach (var r in await QueryAsync(store, $"SELECT service, bins, count FROM {table}"))
            {
                var counts = new long[LatencyHistogram.BinCount];
                LatencyHistogram.AddPacked(r.Text("bins"), counts);
                Assert.Equal(counts.Sum(), r.Long("count"));
                for (var bin = 0; bin < counts.Length; bin++)
                {
                    if (counts[bin] != 0)
                    {
                        var key = (r.Text("service").ToLowerInvariant(), (long)bin);
                        packed[key] = packed.GetValueOrDefault(key) + counts[bin];
                    }
                }
            }

            Assert.Equal(expected.OrderBy(p => p.Key), packed.OrderBy(p => p.Key));
            Assert.Equal(provider == StoreProvider.MariaDb ? 4 : 5, await CountAsync(store, table));
        }

        var fingerprints = await QueryAsync(store, "SELECT count, first_seen_utc, last_seen_utc FROM error_fingerprints WHERE service = 'svc-9'");
        Assert.Equal(700, fingerprints.Count);
        Assert.All(fingerprints, f => Assert.Equal((2L, Minute.AddSeconds(-5), Minute.AddSeconds(5)), (f.Long("count"), f.Time("first_seen_utc"), f.Time("last_seen_utc"))));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task ReadOffsetsReturnsWhatWasWrittenIncludingTheWatermark(StoreProvider provider)
    {
        var (writer, _) = await CreateStoreAsync(provider, "offsets");
        var batch = Batch(PartitionProgress.NoOffset, 0, 3, partition: 0, watermark: Minute.AddSeconds(1.5));
        var other = Batch(PartitionProgress.NoOffset, 10, 5, partition: 2, watermark: null);
        batch.Events.AddRange(other.Events);
        batch.Offsets.AddRange(other.Offsets);
        Assert.Empty(await writer.Batches.WriteAsync(batch, CancellationToken.None));

        // Without a new watermark the stored one stays.
        Assert.Empty(await writer.Batches.WriteAsync(Batch(3, 3, 2, partition: 0, watermark: null), CancellationToken.None));

        var offsets = await writer.Offsets.ReadOffsetsAsync(Group, Topic, [0, 1, 2], CancellationToken.None);

        Assert.Equal(2, offsets.Count);
        Assert.Equal(new StoredOffset(5, Minute.AddSeconds(1.5)), offsets[(Topic, 0)]);
        Assert.Equal(DateTimeKind.Utc, offsets[(Topic, 0)].WatermarkUtc!.Value.Kind);
        Assert.Equal(new StoredOffset(15, null), offsets[(Topic, 2)]);
        Assert.Empty(await writer.Offsets.ReadOffsetsAsync("another-group", Topic, [0, 1, 2], CancellationToken.None));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task AnomaliesOpenUpdateAndCloseAndErrorCountsComeFromVolume(StoreProvider provider)
    {
        var (writer, _) = await CreateStoreAsync(provider, "anomalies");
        var batch = Batch(PartitionProgress.NoOffset, 0, 1);
        batch.Volume.Add(new VolumeMinute { BucketStartUtc = Minute, Service = "orders", Level = LogLevel.Info, Count = 7, Bytes = 700 });
        batch.Volume.Add(new VolumeMinute { BucketStartUtc = Minute, Service = "orders", Level = LogLevel.Fatal, Count = 2, Bytes = 200 });
        batch.Volume.Add(new VolumeMinute { BucketStartUtc = Minute.AddMinutes(1), Service = "billing", Level = LogLevel.Warn, Count = 4, Bytes = 400 });
        Assert.Empty(await writer.Batches.WriteAsync(batch, CancellationToken.None));

        var counts = await writer.Anomalies.ReadErrorCountsAsync(Minute, Minute.AddMinutes(2), CancellationToken.None);
        Assert.Equal([(Minute, "orders", 10L, 3L), (Minute.AddMinutes(1), "billing", 4L, 0L)], counts);

        var id = await writer.Anomalies.OpenAnomalyAsync("orders", "error-rate", Minute, 0.3, 0.01, CancellationToken.None);
        var open = Assert.Single(await writer.Anomalies.ReadOpenAnomaliesAsync(CancellationToken.None));
        Assert.Equal((id, "orders", "error-rate", Minute, 0.3), (open.Id, open.Service, open.Kind, open.StartedAtUtc, open.Observed));

        await writer.Anomalies.UpdateAnomalyAsync(id, 0.5, 0.02, null, CancellationToken.None);
        open = Assert.Single(await writer.Anomalies.ReadOpenAnomaliesAsync(CancellationToken.None));
        Assert.Equal((0.5, 0.02), (open.Observed, open.Expected));

        await writer.Anomalies.UpdateAnomalyAsync(id, 0.4, 0.02, Minute.AddMinutes(3), CancellationToken.None);
        Assert.Empty(await writer.Anomalies.ReadOpenAnomaliesAsync(CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.Anomalies.UpdateAnomalyAsync(id + 100, 1, 1, null, CancellationToken.None));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.MariaDb)]
    public async Task TwoInstancesOpeningTheSameAnomalyAtOnceOpenItOnce(StoreProvider provider)
    {
        // Each processor instance judges every service; two that see the same error burst both open it.
        var (first, store) = await CreateStoreAsync(provider, "anomaly-race");
        var (second, _) = await CreateStoreAsync(provider, "anomaly-race", reuse: store);
        var opens = Enumerable.Range(0, 8)
            .Select(i => Task.Run(() => (i % 2 == 0 ? first : second).Anomalies.OpenAnomalyAsync("orders", "error-rate", Minute.AddMinutes(i), 0.3, 0.01, CancellationToken.None)))
            .ToList();
        var ids = await Task.WhenAll(opens);

        var open = Assert.Single(await first.Anomalies.ReadOpenAnomaliesAsync(CancellationToken.None));
        Assert.All(ids, id => Assert.Equal(open.Id, id));

        // Once it has ended, the next burst opens a new one; another kind or service is separate.
        await first.Anomalies.UpdateAnomalyAsync(open.Id, 0.3, 0.01, Minute.AddMinutes(20), CancellationToken.None);
        var next = await second.Anomalies.OpenAnomalyAsync("orders", "error-rate", Minute.AddMinutes(30), 0.4, 0.01, CancellationToken.None);
        var other = await second.Anomalies.OpenAnomalyAsync("billing", "error-rate", Minute.AddMinutes(30), 0.4, 0.01, CancellationToken.None);
        Assert.Equal(3, new[] { open.Id, next, other }.Distinct().Count());
        Assert.Equal([next, other], (await first.Anomalies.ReadOpenAnomaliesAsync(CancellationToken.None)).Select(a => a.Id).Order());
    }

    [Fact]
    public async Task WriteDuringAMariaDbOutageCompletesOnceWhenTheServerIsBack()
    {
        var (writer, store) = await CreateStoreAsync(StoreProvider.MariaDb, "outage",
            new StoreResilienceOptions { MaxRetryAttempts = 30, BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1), BreakDuration = TimeSpan.FromSeconds(1) });
        Assert.Empty(await writer.Batches.WriteAsync(Batch(PartitionProgress.NoOffset, 0, 10), CancellationToken.None));

        mariaDb.Stop();
        try
        {
            var restart = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(3));
                mariaDb.Start();
            });
            var write = writer.Batches.WriteAsync(Batch(10, 10, 25), CancellationToken.None);

            Assert.Empty(await write);
            await restart;
        }
        finally
        {
            mariaDb.Start();
        }

        var offsets = await QueryAsync(store, "SELECT source_offset FROM log_events ORDER BY source_offset");
        Assert.Equal(Enumerable.Range(0, 35).Select(i => (long)i), offsets.Select(o => o.Long("source_offset")));
        await AssertAggregatesAsync(store, events: 35, firstSeen: Minute, lastSeen: Minute.AddMilliseconds(34));
        Assert.Equal(35L, (await writer.Offsets.ReadOffsetsAsync(Group, Topic, [0], CancellationToken.None))[(Topic, 0)].NextOffset);
    }

    /// <summary>
    /// Back-to-back batches, as when a backlog drains: SQLite must still start the WAL again from the
    /// top now and then (the checkpoint sequence number in the WAL's header counts those restarts).
    /// A checkpoint that never catches up with the writer lets the WAL grow as long as the load lasts.
    /// </summary>
    [Fact]
    public async Task UnderSustainedWritesTheSqliteWalStartsAgainFromTheTop()
    {
        var (writer, _) = await CreateStoreAsync(StoreProvider.Sqlite, "wal");
        var started = Stopwatch.GetTimestamp();
        var next = 0L;
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(4.5))
        {
            Assert.Empty(await writer.Batches.WriteAsync(Batch(next == 0 ? PartitionProgress.NoOffset : next, next, 2_000), CancellationToken.None));
            next += 2_000;
        }

        var wal = Path.Combine(_folder, "wal.db-wal");
        var restarts = WalRestarts(wal);
        Assert.True(restarts >= 2, $"The WAL started again {restarts} times in 4.5 s of writing {next:N0} events; it holds {new FileInfo(wal).Length:N0} bytes.");
    }

    private async Task<(StoreJobs Writer, StoreConnectionFactory Store)> CreateStoreAsync(
        StoreProvider provider, string name, StoreResilienceOptions? resilience = null, StoreConnectionFactory? reuse = null)
    {
        if (reuse is not null)
        {
            return (new StoreJobs(reuse, resilience), reuse);
        }

        var connectionString = provider == StoreProvider.Sqlite
            ? $"Data Source={Path.Combine(_folder, name + ".db")}"
            : mariaDb.CreateDatabase("writer_" + name);
        var store = new StoreConnectionFactory(provider, connectionString);
        await using (var connection = await store.OpenAsync())
        {
            await new SchemaMigrator(provider).MigrateAsync(connection);
        }

        return (new StoreJobs(store, resilience), store);
    }

    /// <summary>
    /// A batch of <paramref name="count"/> error events at offsets from <paramref name="firstOffset"/>
    /// (one per millisecond from <see cref="Minute"/>, by offset), with the aggregates they make.
    /// </summary>
    private static StoreBatch Batch(long expected, long firstOffset, int count, int partition = 0, DateTime? watermark = null, string template = "request <n> failed")
    {
        var batch = new StoreBatch { GroupId = Group };
        for (var offset = firstOffset; offset < firstOffset + count; offset++)
        {
            batch.Events.Add(new LogEventRow
            {
                SourceTopic = Topic,
                SourcePartition = partition,
                SourceOffset = offset,
                TimestampUtc = Minute.AddMilliseconds(offset).AddTicks(offset * 10),
                UtcOffsetMinutes = 60,
                ReceivedAtUtc = Minute.AddSeconds(1),
                Service = "orders",
                Host = "orders-1",
                Level = LogLevel.Error,
                Message = $"request {offset} failed ⏱",
                Format = 1,
                HttpMethod = "GET",
                HttpPath = "/orders/" + offset.ToString(CultureInfo.InvariantCulture),
                HttpStatus = 503,
                HttpDurationMs = 12.5,
                HttpBytes = 512,
                TraceId = "0123456789abcdef0123456789abcdef",
                SpanId = "0123456789abcdef",
                Fingerprint = -42,
                AttributesJson = """{"region":"eu"}""",
            });
        }

        batch.Volume.Add(new VolumeMinute { BucketStartUtc = Minute, Service = "orders", Level = LogLevel.Error, Count = count, Bytes = 100L * count });
        batch.HttpStatus.Add(new HttpStatusMinute { BucketStartUtc = Minute, Service = "orders", StatusClass = 5, Count = count });
        batch.LatencyHistogram.Add(new LatencyHistogramMinute { BucketStartUtc = Minute, Service = "orders", Bin = (short)LatencyHistogram.BinOf(12.5), Count = count });
        batch.Fingerprints.Add(new ErrorFingerprint
        {
            Service = "orders", Fingerprint = -42, Template = template, Count = count,
            FirstSeenUtc = Minute.AddMilliseconds(firstOffset), LastSeenUtc = Minute.AddMilliseconds(firstOffset + count - 1),
            SampleMessage = $"request {firstOffset} failed", Level = LogLevel.Error,
        });
        batch.Pipeline.Add(new PipelineMinute { BucketStartUtc = Minute, EventsIn = count, EventsStored = count, LateEvents = 0, DeadLetters = 0 });
        batch.Offsets.Add(new PartitionProgress(Topic, partition, expected, firstOffset + count, watermark));
        return batch;
    }

    /// <summary>A rejected record of <see cref="Topic"/> at <paramref name="offset"/>, as the aggregator makes it.</summary>
    private static DeadLetterRow DeadLetter(long offset, string reason, int partition = 0) => new()
    {
        SourceTopic = Topic,
        SourcePartition = partition,
        SourceOffset = offset,
        Reason = reason,
        Detail = "detail of " + offset.ToString(CultureInfo.InvariantCulture),
        RecordKey = "orders",
        Host = "orders-1",
        ValueSize = 4,
        ValueSha256 = new string('a', 64),
        Preview = "{␀}",
        RecordTimeUtc = Minute.AddSeconds(offset),
        DeadLetteredAtUtc = Minute.AddMinutes(1),
    };

    /// <summary>Adds the dead letters to the batch and widens (or adds) each partition's range to cover them.</summary>
    private static StoreBatch WithDeadLetters(StoreBatch batch, params DeadLetterRow[] deadLetters)
    {
        batch.DeadLetters.AddRange(deadLetters);
        foreach (var partition in deadLetters.GroupBy(d => d.SourcePartition))
        {
            var next = partition.Max(d => d.SourceOffset) + 1;
            var index = batch.Offsets.FindIndex(p => p.Partition == partition.Key);
            if (index >= 0)
            {
                batch.Offsets[index] = batch.Offsets[index] with { NextOffset = Math.Max(next, batch.Offsets[index].NextOffset) };
            }
            else
            {
                batch.Offsets.Add(new PartitionProgress(Topic, partition.Key, PartitionProgress.NoOffset, next, null));
            }
        }

        return batch;
    }

    private static async Task AssertAggregatesAsync(StoreConnectionFactory store, long events, DateTime firstSeen, DateTime lastSeen)
    {
        var volume = Assert.Single(await QueryAsync(store, "SELECT count, bytes FROM volume_minute"));
        Assert.Equal((events, 100 * events), (volume.Long("count"), volume.Long("bytes")));
        Assert.Equal(events, Assert.Single(await QueryAsync(store, "SELECT count FROM http_status_minute WHERE status_class = 5")).Long("count"));
        Assert.Equal(events, Assert.Single(await QueryAsync(store, "SELECT count FROM latency_histogram_minute")).Long("count"));
        var fingerprint = Assert.Single(await QueryAsync(store, "SELECT count, first_seen_utc, last_seen_utc, level FROM error_fingerprints"));
        Assert.Equal((events, firstSeen, lastSeen, (long)LogLevel.Error), (fingerprint.Long("count"), fingerprint.Time("first_seen_utc"), fingerprint.Time("last_seen_utc"), fingerprint.Long("level")));
        var pipeline = Assert.Single(await QueryAsync(store, "SELECT events_in, events_stored FROM pipeline_minute"));
        Assert.Equal((events, events), (pipeline.Long("events_in"), pipeline.Long("events_stored")));
    }

    /// <summary>Every stored row of every table, as text, for "nothing changed" checks.</summary>
    private static async Task<List<string>> SnapshotAsync(StoreConnectionFactory store)
    {
        var rows = new List<string>();
        foreach (var table in new[] { "log_events", "volume_minute", "http_status_minute", "latency_histogram_minute", "error_fingerprints", "pipeline_minute", "dead_letters", "consumer_offsets" })
        {
            rows.AddRange((await QueryAsync(store, $"SELECT * FROM {table}")).Select(r => table + ": " + string.Join('|', r.Values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)))).Order(StringComparer.Ordinal));
        }

        return rows;
    }

    private static async Task<long> AggregateRowCountAsync(StoreConnectionFactory store)
    {
        long total = 0;
        foreach (var table in new[] { "volume_minute", "http_status_minute", "latency_histogram_minute", "latency_minute", "pipeline_minute" })
        {
            total += await CountAsync(store, table);
        }

        return total;
    }

    private static async Task<long> CountAsync(StoreConnectionFactory store, string table) =>
        Assert.Single(await QueryAsync(store, $"SELECT COUNT(*) AS count FROM {table}")).Long("count");

    private static async Task ExecuteAsync(StoreConnectionFactory store, string sql)
    {
        await using var connection = await store.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<StoreRow>> QueryAsync(StoreConnectionFactory store, string sql, DateTime? cutoff = null)
    {
        await using var connection = await store.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (cutoff is { } value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@cutoff";
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return await StoreRow.ReadAllAsync(command);
    }

    /// <summary>The WAL header's checkpoint sequence number (big-endian at byte 12), which SQLite increments at every restart.</summary>
    private static uint WalRestarts(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> header = stackalloc byte[16];
        file.ReadExactly(header);
        return BinaryPrimitives.ReadUInt32BigEndian(header[12..]);
    }
}
