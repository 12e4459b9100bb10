extern alias api;

using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using LogPipeline.Api.Model;
using LogPipeline.Data;
using LogPipeline.Kafka.Wire;
using LogPipeline.Tests.Infrastructure;
using LogPipeline.Tests.Processor;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LogPipeline.Tests.Api;

/// <summary>The API over a SQLite store that the real processor filled from a generated stream on embedded Kafka.</summary>
public sealed class ApiStore : IAsyncLifetime
{
    private readonly TempFolder _temp = new();

    public ApiStore()
    {
        Store = new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(_temp.Path, "api.db")}");
        Scenario = PipelineScenario.Create(3000, seed: 23, start: DateTimeOffset.UtcNow.AddMinutes(-13), step: TimeSpan.FromMilliseconds(200), poisonEvery: 0);
    }

    public StoreQueries Store { get; }

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
        using (var kafka = ProcessorTests.StartKafka())
        {
            Scenario.ProduceTo(kafka.BootstrapServers);
            var processor = await ProcessorHost.StartAsync(ProcessorHost.Settings(kafka.BootstrapServers, Store));
            var stored = await Store.WaitForRawCountAsync(Scenario.Valid.Count, TimeSpan.FromSeconds(120));
            await processor.StopAsync();
            await processor.DisposeAsync();
            Assert.Equal(Scenario.Valid.Count, stored);
        }

        Api = new ApiFactory(Store.ConnectionString);
        Client = Api.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Api is not null)
        {
            await Api.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

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

/// <summary>The API's Program hosted in memory over a given SQLite store.</summary>
public sealed class ApiFactory(string connectionString, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<api::Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Store:Provider", "Sqlite");
        builder.UseSetting("ConnectionStrings:logsdb", connectionString);
        builder.UseSetting("Api:TailPollInterval", "00:00:00.100");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }
}

[CollectionDefinition("api-store")]
public sealed class ApiStoreCollection : ICollectionFixture<ApiStore>;

internal static class ExpectedFrom
{
    public static DateTime Floor(DateTimeOffset t, TimeSpan size)
    {
        var utc = t.UtcDateTime;
        return new DateTime(utc.Ticks - (utc.Ticks % size.Ticks), DateTimeKind.Utc);
    }

    public static string Level(LogLevel level) => level.ToString().ToLowerInvariant();

    public static string Key(LogEvent e) => $"{e.Timestamp.UtcTicks}|{e.Timestamp.Offset}|{e.Service}|{Level(e.Level)}|{e.Message}";

    public static string Key(LogItem i) => $"{i.Timestamp.UtcTicks}|{i.Timestamp.Offset}|{i.Service}|{i.Level}|{i.Message}";

    /// <summary>The nearest-rank percentile of raw values, the definition LatencyHistogram.Percentile follows.</summary>
    public static double NearestRank(IReadOnlyList<double> sorted, double q) => sorted[(int)Math.Max(1, Math.Ceiling(q * sorted.Count)) - 1];
}
