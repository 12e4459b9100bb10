using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using LogPipeline.Api;
using LogPipeline.Data;
using LogPipeline.Processor;
using LogPipeline.Processor.Pipeline;
using LogPipeline.Processor.Storage;
using LogPipeline.Producer.Generation;
using LogPipeline.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LogPipeline.Benchmarks;

/// <summary>
/// Query speed at scale: a store filled with N synthetic-fleet events over D days, written by the
/// processor's own code (parser, batch aggregator, batch writer: raw rows, minute and hour aggregates and
/// offsets in one transaction per batch), then every route of the real API, in this process over HTTP,
/// asked R times: p50 and p99 per route.
/// </summary>
/// <remarks>
/// The fill skips Kafka (the pipeline benchmark measures that) but not what the processor writes: the
/// same records a producer would send go through <see cref="RecordProcessor"/> and
/// <see cref="BatchAggregator"/> in order, one partition in turn, batches of the processor's default size.
/// </remarks>
internal sealed class QueryBenchmark(BenchmarkOptions options, TextWriter log)
{
    private const string Topic = "logs.raw";
    private const int Partitions = 16;
    private const int BatchSize = 20_000;

    // As the pipeline benchmark: a production-like server, not the launcher's test defaults.
    private static readonly string[] MariaDbServerArguments = ["--innodb-buffer-pool-size=1G", "--innodb-log-file-size=256M"];

    public async Task RunAsync(BenchStore store)
    {
        var data = options.Data is { } folder ? Path.GetFullPath(folder) : null;
        using var temp = data is null ? new TempFolder() : null;
        var root = data ?? temp!.Path;
        Directory.CreateDirectory(root);
        var marker = Path.Combine(root, $"{store}.filled".ToLowerInvariant());
        var wanted = $"{options.Events} {options.Days}";
        var reuse = File.Exists(marker) && File.ReadAllLines(marker) is [var shape, _] && shape == wanted;

        // The server's temporary tables in its own folder: a GROUP BY over millions of rows spills to disk, and
        // a shared /tmp that others clean lost one under the migration's backfill.
        var serverTemp = Path.Combine(root, "mariadb-tmp");
        Directory.CreateDirectory(serverTemp);
        await using var mariaDb = store == BenchStore.MariaDb
            ? MariaDbServer.Kept(Path.Combine(root, "mariadb"), [.. MariaDbServerArguments, $"--tmpdir={serverTemp}"])
            : null;
        var sqliteFile = Path.Combine(root, "sqlite.db");
        if (!reuse)
        {
            File.Delete(marker);
            if (mariaDb is null)
            {
                foreach (var f in new[] { sqliteFile, sqliteFile + "-wal", sqliteFile + "-shm" })
                {
                    File.Delete(f);
                }
            }
            else if (Directory.Exists(Path.Combine(root, "mariadb")))
            {
                Directory.Delete(Path.Combine(root, "mariadb"), recursive: true);
            }
        }

        string connectionString;
        if (mariaDb is null)
        {
            connectionString = $"Data Source={sqliteFile}";
        }
        else
        {
            await mariaDb.InitializeAsync().ConfigureAwait(false);
            connectionString = mariaDb.ConnectionString;
        }

        var provider = store == BenchStore.MariaDb ? StoreProvider.MariaDb : StoreProvider.Sqlite;
        var connections = new StoreConnectionFactory(provider, connectionString);

        // The processor owns the schema: a kept store made by older code is migrated (and backfilled) here.
        var migrate = Stopwatch.StartNew();
        var connection = await connections.OpenAsync().ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await new SchemaMigrator(provider).MigrateAsync(connection).ConfigureAwait(false);
        }

        Log($"[{store}] schema ready in {migrate.Elapsed.TotalSeconds:0.0} s");

        DateTime end;
        if (reuse)
        {
            end = DateTime.Parse(File.ReadAllLines(marker)[1], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            Log($"[{store}] reusing the store in {root}: {options.Events:N0} events over {options.Days} days up to {end:O}");
        }
        else
        {
            end = DateTime.UtcNow;
            end = new DateTime(end.Ticks - (end.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
            var fill = Stopwatch.StartNew();
            await FillAsync(connections, end).ConfigureAwait(false);
            Log($"[{store}] filled {options.Events:N0} events over {options.Days} days in {fill.Elapsed.TotalSeconds:0} s");
            await File.WriteAllLinesAsync(marker, [wanted, end.ToString("O", CultureInfo.InvariantCulture)]).ConfigureAwait(false);
        }

        if (provider == StoreProvider.MariaDb)
        {
            // InnoDB's row estimates lag a bulk fill (recounted in the background); a planner reading the
            // counts of a half-filled table picks full scans a settled store would not.
            await ExecuteAsync(connections, "ANALYZE TABLE log_events, volume_minute, latency_histogram_minute, error_fingerprints").ConfigureAwait(false);
        }

        var queries = new StoreQueries(provider, connectionString);
        var rows = await RunQueriesAsync(store, provider, connectionString, queries, end).ConfigureAwait(false);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{store}: {options.Events:N0} events over {options.Days} days, each route {options.Repeat} times after 2 warm-up calls (nearest rank: below 100 calls p99 is the slowest); {Environment.ProcessorCount} cores"));
        Console.WriteLine("| route | p50 ms | p99 ms | rows |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        foreach (var (name, p50, p99, count) in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {p50:0.0} | {p99:0.0} | {count:N0} |"));
        }
    }

    /// <summary>Generates the fleet's events over the days before <paramref name="end"/> and stores them as the processor does.</summary>
    private async Task FillAsync(StoreConnectionFactory connections, DateTime end)
    {
        var writer = new BatchWriter(
            new ProcessorStore(connections, Options.Create(new StoreResilienceOptions()), TimeProvider.System, NullLogger<ProcessorStore>.Instance),
            NullLogger<BatchWriter>.Instance);
        var processorOptions = new ProcessorOptions();
        var aggregator = new BatchAggregator("benchmark-queries", processorOptions.AllowedLateness);
        for (var p = 0; p < Partitions; p++)
        {
            aggregator.Assign(Topic, p, PartitionProgress.NoOffset, null);
        }

        // Generating and parsing on one core, aggregating and writing on the other.
        var chunks = Channel.CreateBounded<ProcessedRecord[]>(new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true, SingleWriter = true });
        var produce = Task.Run(async () =>
        {
            var generator = new SyntheticLogGenerator(new GeneratorOptions());
            var parser = new RecordProcessor(Options.Create(processorOptions));
            var start = end - TimeSpan.FromDays(options.Days);
            var step = TimeSpan.FromDays(options.Days).Ticks / (double)options.Events;
            var offsets = new long[Partitions];
            for (var i = 0; i < options.Events;)
            {
                var chunk = new ProcessedRecord[Math.Min(BatchSize, options.Events - i)];
                for (var c = 0; c < chunk.Length; c++, i++)
                {
                    var at = new DateTimeOffset(start.Ticks + (long)(i * step), TimeSpan.Zero);
                    var log = generator.Next(at);
                    var partition = i % Partitions;
                    chunk[c] = parser.Process(new KafkaRecord(
                        Topic, partition, offsets[partition]++, log.Event.Service, Encoding.UTF8.GetBytes(log.Line), log.Event.Host, null, at));
                }

                await chunks.Writer.WriteAsync(chunk).ConfigureAwait(false);
            }

            chunks.Writer.Complete();
        });

        var written = 0L;
        var report = Stopwatch.StartNew();
        await foreach (var chunk in chunks.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            foreach (var record in chunk)
            {
                aggregator.Add(record);
            }

            var batch = aggregator.Take();
            if ((await writer.WriteAsync(batch.Store, CancellationToken.None).ConfigureAwait(false)).Count > 0)
            {
                throw new InvalidOperationException("A fill batch was fenced: the store was not empty.");
            }

            written += chunk.Length;
            if (report.Elapsed > TimeSpan.FromSeconds(30))
            {
                Log($"  {written:N0} events stored");
                report.Restart();
            }
        }

        await produce.ConfigureAwait(false);
    }

    private async Task<List<(string Name, double P50, double P99, long Rows)>> RunQueriesAsync(
        BenchStore store, StoreProvider provider, string connectionString, StoreQueries queries, DateTime end)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration["Store:Provider"] = provider.ToString();
        builder.Configuration["ConnectionStrings:logsdb"] = connectionString;
        builder.Logging.ClearProviders();
        builder.AddApi();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.MapApi();
        await using (app.ConfigureAwait(false))
        {
            await app.StartAsync().ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(5) };

            var days = options.Days;
            var week = Range(end.AddDays(-days), end);
            var service = (await queries.RowsAsync("SELECT service FROM volume_minute GROUP BY service ORDER BY SUM(count) DESC").ConfigureAwait(false))
                .Select(r => r.Text("service")).First();
            var traces = await TraceIdsAsync(queries, end).ConfigureAwait(false);
            var routes = new List<(string Name, Func<int, string> Url)>
            {
                ($"volume {days}d 1h", _ => $"/api/stats/volume?{week}&bucket=1h"),
                ($"volume {days}d 1h by service", _ => $"/api/stats/volume?{week}&bucket=1h&groupBy=service"),
                ($"errors {days}d 1h", _ => $"/api/stats/errors?{week}&bucket=1h"),
                ($"latency {days}d 1h", _ => $"/api/stats/latency?{week}&bucket=1h"),
                ($"volume {days}d 5m", _ => $"/api/stats/volume?{week}&bucket=5m"),
                ($"errors {days}d 5m", _ => $"/api/stats/errors?{week}&bucket=5m"),
                ($"latency {days}d 5m", _ => $"/api/stats/latency?{week}&bucket=5m"),
                ("volume 1d 5m", _ => $"/api/stats/volume?{Range(end.AddDays(-1), end)}&bucket=5m"),
                ("errors 1d 5m", _ => $"/api/stats/errors?{Range(end.AddDays(-1), end)}&bucket=5m"),
                ("latency 1d 5m", _ => $"/api/stats/latency?{Range(end.AddDays(-1), end)}&bucket=5m"),
                ("latency 1h 1m", _ => $"/api/stats/latency?{Range(end.AddHours(-1), end)}&bucket=1m"),
                ($"top errors {days}d", _ => $"/api/errors/top?{week}&limit=20"),
                ("top errors 1h", _ => $"/api/errors/top?{Range(end.AddHours(-1), end)}&limit=20"),
                ($"logs newest page, service + level>=warn, {days}d", _ => $"/api/logs?{week}&service={Uri.EscapeDataString(service)}&level=warn&limit=100"),
                ("logs by trace id, 24h", i => $"/api/logs?{Range(end.AddDays(-1), end)}&traceId={traces[i % traces.Count]}"),
                ("logs q=timeout, last hour", _ => $"/api/logs?{Range(end.AddHours(-1), end)}&q=timeout&limit=100"),
                ($"count, service + level>=warn, {days}d", _ => $"/api/logs/count?{week}&service={Uri.EscapeDataString(service)}&level=warn"),
                ("count q=timeout, last hour", _ => $"/api/logs/count?{Range(end.AddHours(-1), end)}&q=timeout"),
                ($"anomalies {days}d", _ => $"/api/anomalies?{week}"),
                ("services", _ => "/api/services"),
                ("dead letters, newest page", _ => "/api/deadletters"),
            };

            var results = new List<(string, double, double, long)>();
            foreach (var (name, url) in routes)
            {
                var times = new List<double>();
                long rows = 0;
                var (slowest, slowestPause, pauses) = (0.0, TimeSpan.Zero, TimeSpan.Zero);
                for (var i = -2; i < options.Repeat; i++)
                {
                    // The API runs in this process: a garbage collection during a call is part of its time.
                    var pausedBefore = GC.GetTotalPauseDuration();
                    var started = Stopwatch.GetTimestamp();
                    using var response = await client.GetAsync(new Uri(url(i + 2), UriKind.Relative)).ConfigureAwait(false);
                    var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    var paused = GC.GetTotalPauseDuration() - pausedBefore;
                    if (!response.IsSuccessStatusCode)
                    {
                        Log($"[{store}] {name}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
                        break;
                    }

                    if (i >= 0)
                    {
                        times.Add(ms);
                        rows = Rows(body);
                        pauses += paused;
                        if (ms > slowest)
                        {
                            (slowest, slowestPause) = (ms, paused);
                        }
                    }
                }

                if (times.Count > 0)
                {
                    times.Sort();
                    results.Add((name, NearestRank(times, 0.50), NearestRank(times, 0.99), rows));
                    Log($"[{store}] {name}: p50 {NearestRank(times, 0.50):0.0} ms, p99 {NearestRank(times, 0.99):0.0} ms, {rows:N0} rows; slowest {slowest:0.0} ms ({slowestPause.TotalMilliseconds:0.0} ms of it GC pause); GC paused {pauses.TotalMilliseconds:0.0} ms over the route's calls");
                }
            }

            await app.StopAsync().ConfigureAwait(false);
            return results;
        }
    }

    /// <summary>Trace ids of events spread over the last day (a fill stores events in time order, so ids follow time).</summary>
    private static async Task<List<string>> TraceIdsAsync(StoreQueries queries, DateTime end)
    {
        var first = await queries.ScalarAsync(string.Create(CultureInfo.InvariantCulture,
            $"SELECT MIN(id) FROM log_events WHERE timestamp_utc >= '{end.AddDays(-1):yyyy-MM-dd HH:mm:ss}'")).ConfigureAwait(false);
        var last = await queries.ScalarAsync("SELECT MAX(id) FROM log_events").ConfigureAwait(false);
        var ids = new List<string>();
        for (var k = 0; k < 64; k++)
        {
            var id = first + ((last - first) * k / 64);
            var rows = await queries.RowsAsync(string.Create(CultureInfo.InvariantCulture,
                $"SELECT trace_id FROM log_events WHERE id >= {id} AND trace_id IS NOT NULL ORDER BY id LIMIT 1")).ConfigureAwait(false);
            if (rows is [var row] && row["trace_id"] is string trace)
            {
                ids.Add(trace);
            }
        }

        return ids.Count > 0 ? ids : throw new InvalidOperationException("No event of the last day has a trace id.");
    }

    /// <summary>What an answer holds: the points of every series, or the items of a list.</summary>
    private static long Rows(byte[] body)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        if (root.TryGetProperty("series", out var series))
        {
            return series.EnumerateArray().Sum(s => (long)s.GetProperty("points").GetArrayLength());
        }

        return root.TryGetProperty("items", out var items) ? items.GetArrayLength() : 0;
    }

    private static double NearestRank(List<double> sorted, double q) => sorted[(int)Math.Max(1, Math.Ceiling(q * sorted.Count)) - 1];

    private static string Range(DateTime from, DateTime to) =>
        $"from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(to.ToString("O", CultureInfo.InvariantCulture))}";

    private static async Task ExecuteAsync(StoreConnectionFactory connections, string sql)
    {
        var connection = await connections.OpenAsync().ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = sql;
                command.CommandTimeout = 0;
                var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
                await reader.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private void Log(FormattableString message) => log.WriteLine(message.ToString(CultureInfo.InvariantCulture));
}
