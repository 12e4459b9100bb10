extern alias api;

using System.Globalization;
using System.Text.Json;
using LogPipeline.Api.Model;
using LogPipeline.Data;
using LogPipeline.Formats;

namespace LogPipeline.Tests.Api;

/// <summary>
/// The API over a store that the real processor filled from a generated stream on embedded Kafka.
/// One subclass per engine, each a collection fixture, so every API test runs on both and must give
/// the same answers: the scenario is the same (same seed and shape) and the expectations come from it.
/// </summary>
public abstract class ApiStore : IAsyncLifetime
{
    protected ApiStore()
    {
        Scenario = PipelineScenario.Create(3000, seed: 23, start: DateTimeOffset.UtcNow.AddMinutes(-13), step: TimeSpan.FromMilliseconds(200), poisonEvery: 1000);
    }

    public StoreQueries Store { get; private set; } = null!;

    public PipelineScenario Scenario { get; }

    public ApiFactory Api { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The events as the store must hold them (messages cut to the column limit).</summary>
    public IEnumerable<LogEvent> Events => Scenario.Valid.Select(s => s.Expected.Message.Length > StoreLimits.TextLength
        ? s.Expected with { Message = s.Expected.Message[..StoreLimits.TextLength] }
        : s.Expected);

    /// <summary>A range (as query text) that holds every event of the scenario.</summary>
    public string AllRange => Range(Events.Min(e => e.Timestamp).AddMinutes(-1), Events.Max(e => e.Timestamp).AddMinutes(1));

    public async Task InitializeAsync()
    {
        Store = await CreateStoreAsync();
        using (var kafka = TestKafka.Start())
        {
            Scenario.ProduceTo(kafka.BootstrapServers);
            var processor = await ProcessorHost.StartAsync(ProcessorHost.Settings(kafka.BootstrapServers, Store));
            var stored = await Store.WaitForRawCountAsync(Scenario.Valid.Count, TimeSpan.FromSeconds(120));
            var deadLettered = await Store.WaitForCountAsync("SELECT COUNT(*) FROM dead_letters", Scenario.PoisonRecords.Count, TimeSpan.FromSeconds(60));
            await processor.StopAsync();
            await processor.DisposeAsync();
            Assert.Equal(Scenario.Valid.Count, stored);
            Assert.Equal(Scenario.PoisonRecords.Count, deadLettered);
        }

        Api = new ApiFactory(Store);
        Client = Api.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Api is not null)
        {
            await Api.DisposeAsync();
        }

        await ReleaseStoreAsync();
    }

    /// <summary>An empty store (no schema: the processor applies it, as in production).</summary>
    protected abstract Task<StoreQueries> CreateStoreAsync();

    protected abstract Task ReleaseStoreAsync();

    public static string Range(DateTimeOffset from, DateTimeOffset to) =>
        $"from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(to.ToString("O", CultureInfo.InvariantCulture))}";

    public async Task<T> GetAsync<T>(string url)
    {
        using var response = await Client.GetAsync(new Uri(url, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize<T>(body, JsonSerializerOptions.Web)!;
    }

    /// <summary>Every page of a log search, following nextCursor to the end.</summary>
    public async Task<List<LogItem>> AllPagesAsync(string url, int limit = 1000)
    {
        var items = new List<LogItem>();
        string? cursor = null;
        do
        {
            var page = await GetAsync<LogPage>($"{url}&limit={limit}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            Assert.True(page.Items.Count <= limit);
            Assert.True(page.NextCursor is null || page.Items.Count == limit, "a page before the last is full");
            items.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return items;
    }

    public async Task ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await new StoreConnectionFactory(Store.Provider, Store.ConnectionString).OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            command.Parameters.Add(p);
        }

        await command.ExecuteNonQueryAsync();
    }

    public static JsonSerializerOptions Json => JsonSerializerOptions.Web;
}
