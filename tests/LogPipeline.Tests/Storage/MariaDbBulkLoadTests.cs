using System.Globalization;
using System.Text;
using LogPipeline.Data;
using LogPipeline.Formats;
using LogPipeline.Processor.Storage;
using LogPipeline.Tests.Infrastructure;

namespace LogPipeline.Tests.Storage;

/// <summary>
/// MariaDB raw events go in through LOAD DATA LOCAL INFILE (<see cref="MariaDbBulkLoad"/>), written
/// here through the processor's <see cref="BatchWriter"/> into the shared real MariaDB server and,
/// for comparison, into SQLite, whose path binds each value natively.
/// </summary>
[Collection("mariadb")]
public sealed class MariaDbBulkLoadTests(MariaDbFixture mariaDb) : IDisposable
{
    private const string Group = "processor";
    private const string Topic = "logs.raw";
    private const string Columns = "source_topic, source_partition, source_offset, timestamp_utc, utc_offset_minutes, received_at_utc, service, host, " +
        "level, message, format, http_method, http_path, http_status, http_duration_ms, http_bytes, trace_id, span_id, fingerprint, attributes_json, is_late";

    private static readonly DateTime Minute = new(2025, 3, 4, 10, 15, 0, DateTimeKind.Utc);

    /// <summary>Texts that LOAD DATA's format (tab, newline, backslash escapes, \N for NULL) or UTF-8 could change.</summary>
    private static readonly string[] Texts =
    [
        "tab\there", "\t", "line\nbreak", "\n", "cr\r\nlf\r", "back\\slash", "\\", "ends with a backslash\\", "\\N", "\\\\N", "N", "NULL",
        "\\t is not a tab", "\\0", "nul\0inside", "\0", "\0\0\\\t\n", "ctrl-z \u001a bell \a escape \u001b", "quotes ' \" `",
        "", " ", "  spaces around  ", "lone high \ud800 here", "lone low \udc00 here", "ends high \ud83d", "\udfff starts low",
        "reversed pair \ude80\ud83d", "emoji 🚀 clef 𝄞 family 👨‍👩‍👧", "Zürich 日本語 ✓ naïve", "\u00a0nbsp \u2028 line separator \ufeff bom",
        "{\"k\":\"v\\\\t\\n\",\"tab\":\"\t\"}",
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("logpipeline-bulkload-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>
    /// Every string column gets every awkward text (and the longest messages: 16,000 characters of
    /// escapes, of three-byte and of four-byte characters, one cut inside a surrogate pair), every
    /// number column its extremes; MariaDB must give back exactly what went in (lone surrogates as
    /// U+FFFD, as every UTF-8 encoding of ours) and exactly what SQLite gives.
    /// </summary>
    [Fact]
    public async Task ValuesLoadDataCouldMangleComeBackExactlyAsWrittenAndAsOnSqlite()
    {
        var events = AwkwardEvents();
        var mariaDbStore = await WriteAsync(StoreProvider.MariaDb, "mangle", events);
        var sqliteStore = await WriteAsync(StoreProvider.Sqlite, "mangle", events);

        var expected = events.Select(Expected).ToList();
        var fromMariaDb = await ReadAsync(mariaDbStore);
        var fromSqlite = await ReadAsync(sqliteStore);

        Assert.Equal(expected.Count, fromMariaDb.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], fromMariaDb[i]);
        }

        // SQLite converts UTF-16 with lone surrogates its own way; everything else it stores as given.
        var comparable = Enumerable.Range(0, expected.Count).Where(i => !HasLoneSurrogate(events[i])).ToList();
        Assert.True(comparable.Count > expected.Count / 2);
        foreach (var i in comparable)
        {
            Assert.Equal(expected[i], fromSqlite[i]);
        }
    }

    /// <summary>
    /// Aggregates are upserts whose values the writer spells as SQL literals (quoted ASCII, or hex of
    /// the UTF-8 bytes): the same awkward texts, and the longest, must come back exactly.
    /// </summary>
    [Fact]
    public async Task TextsInTheAggregateUpsertsComeBackExactly()
    {
        var (writer, store) = await CreateStoreAsync(StoreProvider.MariaDb, "literals");
        var events = AwkwardEvents();
        var texts = events.Select(e => e.Message).Concat(["''", "'", "a''b'", "it's 'quoted'", "x'41'", "_utf8mb4 X'00'"]).ToList();
        var batch = Batch(events[..1]);
        for (var i = 0; i < texts.Count; i++)
        {
            batch.Fingerprints.Add(new ErrorFingerprint
            {
                Service = "orders", Fingerprint = i, Template = texts[i], SampleMessage = texts[(i + 1) % texts.Count], Level = LogLevel.Error, Count = 1,
                FirstSeenUtc = Minute, LastSeenUtc = Minute,
            });
        }

        Assert.Empty(await writer.Batches.WriteAsync(batch, CancellationToken.None));

        var stored = new List<(string Template, string Sample)>();
        await using (var connection = await store.OpenAsync())
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT template, sample_message FROM error_fingerprints ORDER BY fingerprint";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                stored.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        Assert.Equal(texts.Count, stored.Count);
        for (var i = 0; i < texts.Count; i++)
        {
            Assert.Equal(Text(texts[i], StoreLimits.TextLength), stored[i].Template);
            Assert.Equal(Text(texts[(i + 1) % texts.Count], StoreLimits.TextLength), stored[i].Sample);
        }
    }

    /// <summary>
    /// LOAD DATA LOCAL only warns where an INSERT fails (here a value longer than its column, which
    /// it would cut): the writer must fail the batch, not store the cut value or move the offset.
    /// </summary>
    [Fact]
    public async Task AValueTheServerWouldCutFailsTheBatchAndStoresNothing()
    {
        var (writer, store) = await CreateStoreAsync(StoreProvider.MariaDb, "cut");
        await ExecuteAsync(store, "ALTER TABLE log_events MODIFY host VARCHAR(5) NOT NULL");
        var events = AwkwardEvents().Take(3).ToList();
        events[1].Host = "a-host-name-too-long-for-five";

        var error = await Assert.ThrowsAsync<BulkLoadException>(() => writer.Batches.WriteAsync(Batch(events), CancellationToken.None));

        Assert.Contains("warning", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0L, await CountAsync(store, "log_events"));
        Assert.Equal(0L, await CountAsync(store, "volume_minute"));
        Assert.Empty(await writer.Offsets.ReadOffsetsAsync(Group, Topic, [0], CancellationToken.None));
    }

    /// <summary>A server with local_infile=OFF refuses the load: the error says which setting, and nothing is stored.</summary>
    [Fact]
    public async Task AServerWithLocalInfileOffIsNamedInTheError()
    {
        var (writer, store) = await CreateStoreAsync(StoreProvider.MariaDb, "infileoff");
        Assert.Equal("ON", (string?)await ScalarAsync(store, "SELECT IF(@@GLOBAL.local_infile, 'ON', 'OFF')"));
        await ExecuteAsync(store, "SET GLOBAL local_infile = 0");
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.Batches.WriteAsync(Batch(AwkwardEvents().Take(2).ToList()), CancellationToken.None));
            Assert.Contains("local_infile=ON", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await ExecuteAsync(store, "SET GLOBAL local_infile = 1");
        }

        Assert.Equal(0L, await CountAsync(store, "log_events"));
        Assert.Empty(await writer.Offsets.ReadOffsetsAsync(Group, Topic, [0], CancellationToken.None));
    }

    private static List<LogEventRow> AwkwardEvents()
    {
        var longest = new List<string>
        {
            string.Concat(Enumerable.Repeat("\\\t\n\0é", StoreLimits.TextLength / 5)),
            new('日', StoreLimits.TextLength),
            string.Concat(Enumerable.Repeat("🚀", StoreLimits.TextLength / 2)),

            // One unit too long, ending in a pair: the writer drops the pair whole.
            "x" + string.Concat(Enumerable.Repeat("𝄞", StoreLimits.TextLength / 2)),
        };
        double?[] durations = [null, 0, 0.1, 0.30000000000000004, 1e-300, 1.7976931348623157e308, -12.5, 123456.789];
        long?[] bytes = [null, 0, -1, long.MaxValue, long.MinValue, 42];
        short?[] statuses = [null, 200, -1, short.MaxValue, short.MinValue];

        var events = new List<LogEventRow>();
        foreach (var text in Texts.Concat(longest))
        {
            var i = events.Count;
            var shortText = Texts[(i + 1) % Texts.Length];
            events.Add(new LogEventRow
            {
                SourceTopic = Topic,
                SourcePartition = 0,
                SourceOffset = i,
                TimestampUtc = Minute.AddTicks(i * 1_234_560), // whole microseconds: both stores keep them
                UtcOffsetMinutes = (short)(i % 2 == 0 ? -720 : 840),
                ReceivedAtUtc = Minute.AddSeconds(1).AddMicroseconds(i),
                Service = Texts[(i + 2) % Texts.Length],
                Host = shortText,
                Level = (LogLevel)(i % 6),
                Message = text,
                Format = (byte)(i % 4),
                HttpMethod = i % 3 == 0 ? null : Texts[(i + 3) % Texts.Length] is { Length: <= StoreLimits.HttpMethodLength } method ? method : "GET",
                HttpPath = i % 5 == 0 ? null : Texts[(i + 4) % Texts.Length],
                HttpStatus = statuses[i % statuses.Length],
                HttpDurationMs = durations[i % durations.Length],
                HttpBytes = bytes[i % bytes.Length],
                TraceId = i % 4 == 0 ? null : "0123456789abcdef0123456789abcdef",
                SpanId = i % 4 == 1 ? null : "0123456789abcdef",
                Fingerprint = i % 3 == 0 ? null : (i % 2 == 0 ? long.MinValue : long.MaxValue),
                AttributesJson = (i % 7) switch { 0 => null, _ when i % 2 == 0 => longest[i % longest.Count], _ => shortText },
                IsLate = i % 2 == 1,
            });
        }

        return events;
    }

    /// <summary>One event as the store should give it back: texts cut as the writer cuts them, lone surrogates as U+FFFD.</summary>
    private static List<string> Expected(LogEventRow e) =>
    [
        e.SourceTopic, Number(e.SourcePartition), Number(e.SourceOffset), Time(e.TimestampUtc), Number(e.UtcOffsetMinutes), Time(e.ReceivedAtUtc),
        Text(e.Service, StoreLimits.ServiceLength), Text(e.Host, StoreLimits.HostLength), Number((long)e.Level), Text(e.Message, StoreLimits.TextLength),
        Number(e.Format), Text(e.HttpMethod, StoreLimits.HttpMethodLength), Text(e.HttpPath, StoreLimits.HttpPathLength), Number(e.HttpStatus),
        e.HttpDurationMs is { } ms ? ms.ToString("R", CultureInfo.InvariantCulture) : "NULL", Number(e.HttpBytes),
        Text(e.TraceId, StoreLimits.TraceIdLength), Text(e.SpanId, StoreLimits.SpanIdLength), Number(e.Fingerprint),
        Text(e.AttributesJson, StoreLimits.TextLength), Number(e.IsLate ? 1 : 0),
    ];

    private static bool HasLoneSurrogate(LogEventRow e) =>
        new[] { e.Service, e.Host, e.Message, e.HttpMethod, e.HttpPath, e.AttributesJson }.Any(s => s is not null && Utf8RoundTrip(s) != s);

    private static string Text(string? value, int limit)
    {
        if (value is null)
        {
            return "NULL";
        }

        // The writer never splits a pair: a cut that would end on a high surrogate ends before it.
        var cut = value.Length <= limit ? value : value[..(char.IsHighSurrogate(value[limit - 1]) ? limit - 1 : limit)];
        return Utf8RoundTrip(cut);
    }

    private static string Utf8RoundTrip(string value) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value));

    private static string Number(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "NULL";

    private static string Time(DateTime value) => value.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    /// <summary>Every stored event in offset order, each value as <see cref="Expected"/> writes it.</summary>
    private static async Task<List<List<string>>> ReadAsync(StoreConnectionFactory store)
    {
        string[] timeColumns = ["timestamp_utc", "received_at_utc"];
        var names = Columns.Split(", ");
        var rows = new List<List<string>>();
        await using var connection = await store.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM log_events ORDER BY source_offset";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new List<string>();
            for (var c = 0; c < names.Length; c++)
            {
                row.Add(reader.IsDBNull(c) ? "NULL" : names[c] switch
                {
                    var name when timeColumns.Contains(name) => Time(reader.GetValue(c) is DateTime d ? d : DateTime.Parse(reader.GetString(c), CultureInfo.InvariantCulture)),
                    "http_duration_ms" => Convert.ToDouble(reader.GetValue(c), CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture),
                    _ when reader.GetValue(c) is string s => s,
                    _ => Convert.ToInt64(reader.GetValue(c), CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
                });
            }

            rows.Add(row);
        }

        return rows;
    }

    private async Task<StoreConnectionFactory> WriteAsync(StoreProvider provider, string name, List<LogEventRow> events)
    {
        var (writer, store) = await CreateStoreAsync(provider, name);

        // Two batches, so a second load continues where the first ended.
        var half = events.Count / 2;
        Assert.Empty(await writer.Batches.WriteAsync(Batch(events[..half]), CancellationToken.None));
        Assert.Empty(await writer.Batches.WriteAsync(Batch(events[half..], expected: half), CancellationToken.None));
        return store;
    }

    private static StoreBatch Batch(List<LogEventRow> events, long expected = PartitionProgress.NoOffset)
    {
        var batch = new StoreBatch { GroupId = Group };
        batch.Events.AddRange(events);
        batch.Volume.Add(new VolumeMinute { BucketStartUtc = Minute, Service = "orders", Level = LogLevel.Info, Count = events.Count, Bytes = events.Count });
        batch.Offsets.Add(new PartitionProgress(Topic, 0, expected, events[^1].SourceOffset + 1, null));
        return batch;
    }

    private async Task<(StoreJobs Writer, StoreConnectionFactory Store)> CreateStoreAsync(StoreProvider provider, string name)
    {
        var connectionString = provider == StoreProvider.Sqlite
            ? $"Data Source={Path.Combine(_folder, name + ".db")}"
            : mariaDb.CreateDatabase("bulkload_" + name);
        var store = new StoreConnectionFactory(provider, connectionString);
        await using (var connection = await store.OpenAsync())
        {
            await new SchemaMigrator(provider).MigrateAsync(connection);
        }

        return (new StoreJobs(store), store);
    }

    private static async Task ExecuteAsync(StoreConnectionFactory store, string sql)
    {
        await using var connection = await store.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(StoreConnectionFactory store, string sql)
    {
        await using var connection = await store.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private static async Task<long> CountAsync(StoreConnectionFactory store, string table) =>
        Convert.ToInt64(await ScalarAsync(store, $"SELECT COUNT(*) FROM {table}"), CultureInfo.InvariantCulture);
}
