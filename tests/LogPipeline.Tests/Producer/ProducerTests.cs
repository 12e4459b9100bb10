using System.Diagnostics;
using System.Text;
using LogPipeline.Kafka;
using LogPipeline.Kafka.Embedded;
using LogPipeline.Formats;
using LogPipeline.Producer;
using LogPipeline.Producer.Generation;
using LogPipeline.Producer.Publishing;
using LogPipeline.Tests.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LogPipeline.Tests.Producer;

/// <summary>The real producer host against the embedded Kafka cluster, read back with the real client.</summary>
public sealed class ProducerTests
{
    private const int Partitions = 8;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task EverySyntheticEventReachesAConsumerKeyedByServiceWithHostAndTraceHeaders()
    {
        using var kafka = TestKafka.Start(Partitions);
        const int count = 5000;
        var start = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        var app = await ProducerHost.StartAsync(Settings(kafka, new()
        {
            ["Producer:EventsPerSecond"] = "0",
            ["Producer:MaxEvents"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Producer:Generator:Seed"] = "7",
        }), new StoppedClock(start));
        await app.RunToCompletionAsync(Timeout);

        // What the producer must have sent: the same generator, seed and clock, computed independently.
        var generator = new SyntheticLogGenerator(new GeneratorOptions { Seed = 7 });
        var expected = Enumerable.Range(0, count).Select(_ => generator.Next(start)).ToList();

        var records = KafkaTestClient.ReadAll(kafka.BootstrapServers, "logs.raw", Partitions, count, Timeout);

        Assert.Equal(count, records.Count);
        var unsent = expected.GroupBy(e => e.Line).ToDictionary(g => g.Key, g => new Queue<GeneratedLog>(g));
        foreach (var record in records)
        {
            var line = Encoding.UTF8.GetString(record.Message.Value);
            Assert.True(unsent.TryGetValue(line, out var queue) && queue.Count > 0, "a record that was not generated, or was sent twice: " + line);
            var sent = queue.Dequeue();
            Assert.Equal(sent.Event.Service, record.Message.Key);
            Assert.Equal(sent.Event.Host, record.Header(KafkaHeaderNames.Host));
            if (sent.Event.TraceId is not null)
            {
                var context = TraceContext.Extract(record.Message.Headers);
                Assert.Equal(sent.Event.TraceId, context.TraceId.ToHexString());
            }

            // What a consumer sees parses back, with the key and host header, to the fields the format carries.
            var parseContext = new LogParseContext(record.Message.Key, record.Header(KafkaHeaderNames.Host), start, sent.Event.Timestamp.Offset);
            Assert.True(LogParser.TryParse(record.Message.Value, parseContext, out var parsed, out var format, out var error), error.ToString());
            Assert.Equal(sent.Format, format);
            WireAssert.Same(WireExpectations.Expected(sent.Event, sent.Format, parseContext), parsed);
        }

        Assert.All(unsent.Values, q => Assert.Empty(q));
        Assert.Equal(5, expected.Select(e => e.Format).Distinct().Count()); // every format was exercised
        // Keyed by service: all of one service's events share a partition, so their order holds.
        Assert.All(records.GroupBy(r => r.Message.Key), g => Assert.Single(g.Select(r => r.Partition.Value).Distinct()));
    }

    [Fact]
    public async Task EventsThatTimedOutWhileKafkaWasDownAreSentAgainNotDropped()
    {
        using var kafka = TestKafka.Start(Partitions);
        const int count = 3000;
        var start = new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero);
        var app = await ProducerHost.StartAsync(Settings(kafka, new()
        {
            ["Producer:EventsPerSecond"] = "300",
            ["Producer:MaxEvents"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // librdkafka gives records up 2 s after they were queued; the outage lasts 8 s.
            ["Kafka:Producer:message.timeout.ms"] = "2000",
            ["Producer:Generator:Seed"] = "11",
        }), new StoppedClock(start));
        var publisher = app.Services.GetRequiredService<LogPublisher>();
        await Task.Delay(TimeSpan.FromSeconds(2));
        kafka.SetBrokerDown();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(8));
        }
        finally
        {
            kafka.SetBrokerUp();
        }

        await app.RunToCompletionAsync(Timeout);
        // Flushed already: a count short by the records counted failed needs no long wait.
        var records = KafkaTestClient.ReadAll(kafka.BootstrapServers, "logs.raw", Partitions, count, TimeSpan.FromSeconds(15));

        // Given back by librdkafka and sent again; only records it may have written (in flight when the
        // broker went down) may be counted failed, rather than risk a duplicate.
        Assert.True(publisher.Resent > 0, "nothing was sent again");
        Assert.Equal(count, publisher.Delivered + publisher.Failed);
        Assert.True(publisher.Failed <= 300, $"{publisher.Failed} of {count} counted failed, more than a second's worth"); // 26 in one run
        Assert.InRange(records.Count, publisher.Delivered, count);

        // No event twice: each line at most as often as the generator made it (lines can repeat).
        var generator = new SyntheticLogGenerator(new GeneratorOptions { Seed = 11 });
        var unsent = Enumerable.Range(0, count).Select(_ => generator.Next(start).Line).CountBy(l => l).ToDictionary();
        Assert.All(records, r => Assert.True(unsent[Encoding.UTF8.GetString(r.Message.Value)]-- > 0, "sent twice: " + Encoding.UTF8.GetString(r.Message.Value)));
    }

    [Fact]
    public async Task ReplaySendsEveryLineOfAFileUnchanged()
    {
        using var kafka = TestKafka.Start(Partitions);
        using var dir = new TempFolder();
        var lines = new List<byte[]>
        {
            "127.0.0.1 - - [22/Nov/2026:10:15:32 +0100] \"GET /index.html HTTP/1.1\" 200 512 \"-\" \"curl/8.0\""u8.ToArray(),
            "<165>1 2026-11-22T10:15:32.003+01:00 web-1 checkout 412 - - Payment 💳 declined for order 88213"u8.ToArray(),
            "ts=2026-11-22T10:15:32Z level=warn msg=\"quoted \\\"value\\\"\""u8.ToArray(),
            new byte[] { 0x7B, 0xC3, 0x28, 0x7D }, // invalid UTF-8: sent as it is, for the processor to dead-letter
            "{\"v\":1,\"timestamp\":\"2026-11-22T10:15:32+00:00\"}"u8.ToArray(),
        };
        var file = Path.Combine(dir.Path, "nginx-access.log");
        await using (var f = File.Create(file))
        {
            for (var i = 0; i < lines.Count; i++)
            {
                await f.WriteAsync(lines[i]);
                await f.WriteAsync(i == 1 ? "\r\n\n   \n"u8.ToArray() : "\n"u8.ToArray()); // CRLF and blank lines are not lines
            }
        }

        var app = await ProducerHost.StartAsync(Settings(kafka, new() { ["Producer:ReplayPath"] = file, ["Producer:ReplayHost"] = "replay-host" }));
        await app.RunToCompletionAsync(Timeout);

        var records = KafkaTestClient.ReadAll(kafka.BootstrapServers, "logs.raw", Partitions, lines.Count, Timeout);
        Assert.Equal(lines.Count, records.Count);
        // One key (the file's service), so one partition, so file order.
        Assert.Equal(lines, records.OrderBy(r => r.Offset.Value).Select(r => r.Message.Value));
        Assert.All(records, r => Assert.Equal("nginx-access", r.Message.Key));
        Assert.All(records, r => Assert.Equal("replay-host", r.Header(KafkaHeaderNames.Host)));
    }

    [Fact]
    public async Task FollowSendsLinesAppendedAfterStartAndRereadsATruncatedFile()
    {
        using var kafka = TestKafka.Start(Partitions);
        using var dir = new TempFolder();
        var file = Path.Combine(dir.Path, "app.log");
        await File.WriteAllTextAsync(file, "line 1\nline 2\n");
        var app = await ProducerHost.StartAsync(Settings(kafka, new()
        {
            ["Producer:ReplayPath"] = file,
            ["Producer:Follow"] = "true",
            ["Producer:MaxEvents"] = "6",
        }));

        await WaitForRecordsAsync(kafka, 2);
        await File.AppendAllTextAsync(file, "line 3\nline 4 is writ");
        await WaitForRecordsAsync(kafka, 3);
        await File.AppendAllTextAsync(file, "ten in two parts\n");
        await WaitForRecordsAsync(kafka, 4);
        await File.WriteAllTextAsync(file, "after truncate 1\nafter truncate 2\n"); // shorter than before: read again from the start
        await app.RunToCompletionAsync(Timeout);

        var records = KafkaTestClient.ReadAll(kafka.BootstrapServers, "logs.raw", Partitions, 6, Timeout);
        Assert.Equal(
            ["line 1", "line 2", "line 3", "line 4 is written in two parts", "after truncate 1", "after truncate 2"],
            records.OrderBy(r => r.Offset.Value).Select(r => Encoding.UTF8.GetString(r.Message.Value)));
    }

    [Fact]
    public async Task KcatListsAndReadsTheEmbeddedClustersTopics()
    {
        using var kafka = TestKafka.Start(Partitions);
        var app = await ProducerHost.StartAsync(Settings(kafka, new() { ["Producer:EventsPerSecond"] = "0", ["Producer:MaxEvents"] = "300" }));
        await app.RunToCompletionAsync(Timeout);

        var metadata = await Kcat.RunAsync("-b", kafka.BootstrapServers, "-L", "-t", "logs.raw");
        Assert.Contains("topic \"logs.raw\" with 8 partitions", metadata, StringComparison.Ordinal);
        var deadLetters = await Kcat.RunAsync("-b", kafka.BootstrapServers, "-L", "-t", "logs.deadletter");
        Assert.Contains("topic \"logs.deadletter\" with 2 partitions", deadLetters, StringComparison.Ordinal);

        // kcat prints key TAB value per record; every value parses as a log event of the key's service.
        var dump = await Kcat.RunAsync("-b", kafka.BootstrapServers, "-C", "-t", "logs.raw", "-o", "beginning", "-e", "-q", "-f", "%k\\t%s\\n");
        var rows = dump.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(300, rows.Length);
        Assert.All(rows, row =>
        {
            var (key, value) = (row.Split('\t', 2)[0], row.Split('\t', 2)[1]);
            Assert.True(LogParser.TryParse(value, new LogParseContext(key, "h", DateTimeOffset.UtcNow, TimeSpan.Zero), out var parsed, out _, out var error), error.ToString());
            Assert.Equal(key, parsed.Service);
        });
    }

    [Fact]
    public async Task ARunThatEndsBeforeTheHostHasStartedStillStartsAndThenStops()
    {
        // CI once saw a 300-event run finish before Kestrel had bound its port: the worker's stop
        // cancelled the host's start ("a task was canceled"). A hosted service that holds the start
        // until the source is done makes that order certain.
        using var kafka = TestKafka.Start(Partitions);
        var app = await ProducerHost.StartAsync(
            Settings(kafka, new() { ["Producer:EventsPerSecond"] = "0", ["Producer:MaxEvents"] = "50" }),
            services: s => s.AddHostedService<StartsAfterTheProducerIsDone>());
        await app.WaitForShutdownAsync().WaitAsync(Timeout); // the producer's own stop, once the host had started
        await app.DisposeAsync();
        Assert.Equal(50, KafkaTestClient.ReadAll(kafka.BootstrapServers, "logs.raw", Partitions, 50, Timeout).Count);
    }

    private sealed class StartsAfterTheProducerIsDone(IServiceProvider services) : IHostedService
    {
        // Looked up at start, not injected: a hosted service cannot take the list of hosted services it is in.
        public Task StartAsync(CancellationToken cancellationToken) =>
            services.GetServices<IHostedService>().OfType<ProducerWorker>().Single().Completion.WaitAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task ABadOptionStopsTheProducerWithAClearMessageAndNoStackTrace()
    {
        var producerDll = Path.Combine(AppContext.BaseDirectory, "LogPipeline.Producer.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { producerDll, "--Producer:EventsPerSecond=-5", "--Producer:BurstFactor=0.5", "--ConnectionStrings:kafka=127.0.0.1:1", "--urls=http://127.0.0.1:0" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Timeout);

        Assert.Equal(2, process.ExitCode);
        var output = await stderr + await stdout;
        Assert.Contains("Producer:EventsPerSecond must be 0 (unlimited) or a positive number; got -5.", output, StringComparison.Ordinal);
        Assert.Contains("Producer:BurstFactor must be at least 1; got 0.5.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Settings(EmbeddedKafka kafka, Dictionary<string, string?> settings)
    {
        settings["ConnectionStrings:kafka"] = kafka.BootstrapServers;
        settings["Producer:ProgressInterval"] = "00:00:01";
        return settings;
    }

    private static async Task WaitForRecordsAsync(EmbeddedKafka kafka, int count)
    {
        var records = await Task.Run(() => KafkaTestClient.ReadAll(kafka.BootstrapServers, "logs.raw", Partitions, count, Timeout));
        Assert.True(records.Count >= count, $"expected {count} records, saw {records.Count}");
    }
}
