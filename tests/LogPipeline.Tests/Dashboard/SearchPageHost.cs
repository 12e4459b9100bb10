using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using LogPipeline.Data;

namespace LogPipeline.Tests.Dashboard;

/// <summary>
/// The standalone pipeline for the search page tests: producing 300 events/s into a store of one
/// engine, with an anomaly of checkout recorded as the processor records them, and a past range
/// (the first minutes, closed) whose rows no longer change.
/// </summary>
public abstract class SearchPageHost : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private HttpClient? _client;

    public StandaloneProcess Process { get; private set; } = null!;

    public abstract StoreProvider Provider { get; }

    /// <summary>Lower than the default, so that a broad text search is capped.</summary>
    public const int CountCap = 1000;

    /// <summary>The trace of three services the fixture sends beside the generator's stream.</summary>
    public const string TraceId = "5ea2c0ffee0000000000000000000001";

    public (string From, string To) PastRange { get; private set; }

    /// <summary>The minute of an anomaly of checkout, recorded as the processor records them.</summary>
    public DateTime AnomalyStart { get; private set; }

    /// <summary>A past minute with events, after the anomaly: a chart point to click.</summary>
    public DateTime PointMinute { get; private set; }

    public async Task InitializeAsync()
    {
        Chromium.Require();
        var kafkaPort = LoopbackPort.Free();
        Process = StandaloneProcess.Start(
            _folder.Path,
            new Dictionary<string, string?>
            {
                ["Producer:EventsPerSecond"] = "300",
                // No scheduled incidents: the processor would flag one as a second anomaly band beside
                // the fixture's (they come every 10 minutes by the wall clock, so both stores at once).
                ["Producer:Generator:IncidentEvery"] = "00:00:00",
                ["Kafka:Embedded:Port"] = kafkaPort.ToString(CultureInfo.InvariantCulture),
                ["Api:CountCap"] = CountCap.ToString(CultureInfo.InvariantCulture),
            },
            await DatabaseAsync());
        await Process.WaitHealthyAsync(TimeSpan.FromSeconds(90));
        _client = new HttpClient { BaseAddress = Process.BaseAddress };

        var start = DateTime.UtcNow;
        await Process.Store.WaitForRawCountAsync(20_000, TimeSpan.FromSeconds(180));
        // The anomaly's minute and the point's (the two before the last) must hold events: about three minutes of them.
        var covered = start.AddMinutes(3).AddSeconds(10) - DateTime.UtcNow;
        if (covered > TimeSpan.Zero)
        {
            await Task.Delay(covered);
        }

        // A few seconds back, so that the processor has written everything before it.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var to = DateTime.UtcNow.AddSeconds(-5);
        PastRange = (Uri.EscapeDataString(start.AddMinutes(-5).ToString("O", CultureInfo.InvariantCulture)), Uri.EscapeDataString(to.ToString("O", CultureInfo.InvariantCulture)));

        ProduceTrace($"127.0.0.1:{kafkaPort}", to.AddSeconds(-30));
        var traced = await Process.Store.WaitForCountAsync($"SELECT COUNT(*) FROM log_events WHERE trace_id = '{TraceId}'", 3, TimeSpan.FromSeconds(60));
        Assert.True(traced == 3, $"{traced} of the trace's 3 events were stored.\n{Process.ReadLog()}");

        PointMinute = PipelineScenario.Minute(to).AddMinutes(-1);
        AnomalyStart = PointMinute.AddMinutes(-1);
        await Process.Store.AddAnomalyAsync("checkout", AnomalyStart, PointMinute);
    }

    /// <summary>
    /// A request through checkout, payments and inventory, a second apart, sent last first and each
    /// service to its own partition: the page must put them in time order.
    /// </summary>
    private static void ProduceTrace(string bootstrapServers, DateTime start)
    {
        using var producer = new Confluent.Kafka.ProducerBuilder<string?, byte[]>(
            new Confluent.Kafka.ProducerConfig { BootstrapServers = bootstrapServers, Acks = Confluent.Kafka.Acks.All }).Build();
        string[] services = ["checkout", "payments", "inventory"];
        for (var i = services.Length - 1; i >= 0; i--)
        {
            var e = new LogPipeline.Formats.LogEvent
            {
                Timestamp = new DateTimeOffset(start.AddSeconds(i)),
                Service = services[i],
                Host = $"{services[i]}-trace-0",
                Level = LogPipeline.Formats.LogLevel.Info,
                Message = $"POST /api/{services[i]}/step HTTP/1.1",
                Http = new LogPipeline.Formats.HttpInfo { Method = "POST", Path = $"/api/{services[i]}/step", Status = 201, DurationMs = 12.5, Bytes = 2048 },
                TraceId = TraceId,
                SpanId = $"{i + 1:x16}",
                Attributes = new Dictionary<string, string> { ["step"] = (i + 1).ToString(CultureInfo.InvariantCulture) },
            };
            var value = JsonSerializer.SerializeToUtf8Bytes(e, LogPipeline.Formats.WireJsonContext.Default.LogEvent);
            producer.ProduceWaiting("logs.raw", new Confluent.Kafka.Message<string?, byte[]> { Key = services[i], Value = value });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        Process?.Dispose();
        await ReleaseAsync();
        _folder.Dispose();
    }

    protected abstract Task<string?> DatabaseAsync();

    protected virtual Task ReleaseAsync() => Task.CompletedTask;

    public async Task<T> GetAsync<T>(string url) =>
        (await _client!.GetFromJsonAsync<T>(new Uri(url, UriKind.Relative), JsonSerializerOptions.Web))!;

    public Task<PageDto> LogsAsync(string query) => GetAsync<PageDto>($"api/logs?{query}");

    /// <summary>The ids of every match, newest first, following the cursor.</summary>
    public async Task<List<long>> AllIdsAsync(string query)
    {
        var ids = new List<long>();
        string? cursor = null;
        do
        {
            var page = await LogsAsync($"{query}&limit=1000" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            ids.AddRange(page.Items.Select(i => i.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return ids;
    }

    public sealed class Sqlite : SearchPageHost
    {
        public override StoreProvider Provider => StoreProvider.Sqlite;

        protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
    }

    public sealed class MariaDb : SearchPageHost
    {
        private readonly MariaDbServer _server = new();

        public override StoreProvider Provider => StoreProvider.MariaDb;

        protected override async Task<string?> DatabaseAsync()
        {
            await _server.InitializeAsync();
            return _server.CreateDatabase("search");
        }

        protected override async Task ReleaseAsync()
        {
            MySqlConnector.MySqlConnection.ClearAllPools();
            await _server.DisposeAsync();
        }
    }
}
