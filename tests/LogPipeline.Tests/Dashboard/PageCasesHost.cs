using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LogPipeline.Data;

namespace LogPipeline.Tests.Dashboard;

/// <summary>
/// Two standalone pipelines of one engine without the synthetic producer (it replays an empty file):
/// <see cref="Empty"/> stays empty; <see cref="Filled"/> holds 60 services, one named to the store's
/// limit on a host named to its limit, whose errors are a 20,000-character token (stored cut to
/// 16,000) and a long stack trace, all sent through its Kafka by the real client.
/// </summary>
public abstract class PageCasesHost : IAsyncLifetime
{
    private readonly TempFolder _emptyFolder = new();
    private readonly TempFolder _filledFolder = new();
    private string _bootstrap = "";

    public StandaloneProcess Empty { get; private set; } = null!;

    public StandaloneProcess Filled { get; private set; } = null!;

    public abstract StoreProvider Provider { get; }

    /// <summary>A service named to the store's limit, with no break in it.</summary>
    public static readonly string LongService = "billing-reconciliation-" + new string('x', StoreLimits.ServiceLength - 23);

    public static readonly string LongHost = "ip-10-0-0-1." + string.Concat(Enumerable.Repeat("eu-west-1-compute-internal.", 10))[..(StoreLimits.HostLength - 12)];

    /// <summary>One unbroken token, longer than the store keeps.</summary>
    public static readonly string LongToken = "payload=" + string.Concat(Enumerable.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", 600))[..(20_000 - 8)];

    /// <summary>A failure with a long unbroken first line and 80 frames: under the store's limit, kept whole.</summary>
    public static readonly string StackMessage = BuildStack();

    /// <summary>The sixty services, in the order they were sent (not sorted).</summary>
    public IReadOnlyList<string> Services { get; } = BuildServices();

    public async Task InitializeAsync()
    {
        Chromium.Require();
        var (emptyKafka, filledKafka) = (LoopbackPort.Free(), LoopbackPort.Free());
        var (emptyDb, filledDb) = await DatabasesAsync();
        Empty = StandaloneProcess.Start(_emptyFolder.Path, Settings(_emptyFolder.Path, emptyKafka), emptyDb);
        Filled = StandaloneProcess.Start(_filledFolder.Path, Settings(_filledFolder.Path, filledKafka), filledDb);
        await Task.WhenAll(Empty.WaitHealthyAsync(TimeSpan.FromSeconds(120)), Filled.WaitHealthyAsync(TimeSpan.FromSeconds(120)));

        _bootstrap = $"127.0.0.1:{filledKafka}";
        var now = DateTimeOffset.UtcNow;
        var events = new List<LogPipeline.Formats.LogEvent>();
        foreach (var (service, i) in Services.Select((s, i) => (s, i)).Where(p => p.s != LongService))
        {
            for (var k = 0; k < 3; k++)
            {
                events.Add(Event(service, $"{service}-7d9f-{k}", LogPipeline.Formats.LogLevel.Info, now.AddSeconds(-20 + k), $"GET /api/{service}/items HTTP/1.1", 20 + i + (10 * k)));
            }

            events.Add(Event(service, $"{service}-7d9f-0", LogPipeline.Formats.LogLevel.Error, now.AddSeconds(-15), $"Upstream {service} answered 503 after 2 retries", null));
        }

        for (var k = 0; k < 3; k++)
        {
            events.Add(Event(LongService, LongHost, LogPipeline.Formats.LogLevel.Error, now.AddSeconds(-12 + k), LongToken, null));
        }

        for (var k = 0; k < 2; k++)
        {
            events.Add(Event(LongService, LongHost, LogPipeline.Formats.LogLevel.Error, now.AddSeconds(-8 + k), StackMessage, null));
        }

        // A request too, so that the long name is a series of the latency chart as well.
        events.Add(Event(LongService, LongHost, LogPipeline.Formats.LogLevel.Info, now.AddSeconds(-5), $"GET /api/{LongService}/items HTTP/1.1", 40));

        Produce(events);
        var stored = await Filled.Store.WaitForRawCountAsync(events.Count, TimeSpan.FromSeconds(90));
        Assert.True(stored == events.Count, $"{stored} of the {events.Count} events were stored.\n{Filled.ReadLog()}");
    }

    /// <summary>One more long-token event of the long-named service, now (for the live tail).</summary>
    public void ProduceLongToken() =>
        Produce([Event(LongService, LongHost, LogPipeline.Formats.LogLevel.Error, DateTimeOffset.UtcNow, LongToken, null)]);

    public async Task<PageDto> LogsAsync(StandaloneProcess process, string query)
    {
        using var client = new HttpClient { BaseAddress = process.BaseAddress };
        return (await client.GetFromJsonAsync<PageDto>(new Uri($"api/logs?{query}", UriKind.Relative), JsonSerializerOptions.Web))!;
    }

    public async Task DisposeAsync()
    {
        Empty?.Dispose();
        Filled?.Dispose();
        await ReleaseAsync();
        _emptyFolder.Dispose();
        _filledFolder.Dispose();
    }

    protected abstract Task<(string? Empty, string? Filled)> DatabasesAsync();

    protected virtual Task ReleaseAsync() => Task.CompletedTask;

    private static Dictionary<string, string?> Settings(string folder, int kafkaPort)
    {
        // No synthetic logs: the producer replays an empty file and then idles.
        var nothing = Path.Combine(folder, "nothing.log");
        File.WriteAllText(nothing, "");
        return new()
        {
            ["Producer:ReplayPath"] = nothing,
            ["Kafka:Embedded:Port"] = kafkaPort.ToString(CultureInfo.InvariantCulture),
        };
    }

    private void Produce(IEnumerable<LogPipeline.Formats.LogEvent> events)
    {
        using var producer = new Confluent.Kafka.ProducerBuilder<string?, byte[]>(
            new Confluent.Kafka.ProducerConfig { BootstrapServers = _bootstrap, Acks = Confluent.Kafka.Acks.All }).Build();
        foreach (var e in events)
        {
            var value = JsonSerializer.SerializeToUtf8Bytes(e, LogPipeline.Formats.WireJsonContext.Default.LogEvent);
            producer.ProduceWaiting("logs.raw", new Confluent.Kafka.Message<string?, byte[]> { Key = e.Service, Value = value });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
    }

    private static LogPipeline.Formats.LogEvent Event(string service, string host, LogPipeline.Formats.LogLevel level, DateTimeOffset at, string message, double? durationMs) => new()
    {
        Timestamp = at,
        Service = service,
        Host = host,
        Level = level,
        Message = message,
        Http = durationMs is { } ms ? new LogPipeline.Formats.HttpInfo { Method = "GET", Path = $"/api/{service}/items", Status = 200, DurationMs = ms, Bytes = 512 } : null,
    };

    private static List<string> BuildServices()
    {
        string[] teams = ["orders", "billing", "catalog", "identity", "search", "shipping", "pricing", "reviews", "media", "alerts", "ledger", "quotes", "returns", "tax", "wallet", "events", "export", "gateway", "cart", "promo"];
        string[] roles = ["api", "worker", "sync"];
        var names = roles.SelectMany(r => teams.Select(t => $"{t}-{r}")).Take(59).ToList();
        names.Insert(30, LongService);
        return names;
    }

    private static string BuildStack()
    {
        var text = new StringBuilder("Order export failed: System.InvalidOperationException: no exporter accepted the batch at https://exports.internal/v2/batches?")
            .Append(string.Concat(Enumerable.Repeat("segment=QUJDREVGR0hJSktMTU5PUFFS&", 40)));
        for (var frame = 0; frame < 80; frame++)
        {
            text.Append("\n   at LogPipeline.Samples.Orders.OrderExporter.ExportBatchAsync(IReadOnlyList`1 orders, CancellationToken cancellationToken) in /src/Orders/OrderExporter.cs:line ")
                .Append(100 + frame);
        }

        return text.ToString();
    }

    public sealed class Sqlite : PageCasesHost
    {
        public override StoreProvider Provider => StoreProvider.Sqlite;

        protected override Task<(string? Empty, string? Filled)> DatabasesAsync() => Task.FromResult<(string?, string?)>((null, null));
    }

    public sealed class MariaDb : PageCasesHost
    {
        private readonly MariaDbServer _server = new();

        public override StoreProvider Provider => StoreProvider.MariaDb;

        protected override async Task<(string? Empty, string? Filled)> DatabasesAsync()
        {
            await _server.InitializeAsync();
            return (_server.CreateDatabase("empty"), _server.CreateDatabase("cases"));
        }

        protected override async Task ReleaseAsync()
        {
            MySqlConnector.MySqlConnection.ClearAllPools();
            await _server.DisposeAsync();
        }
    }
}
