using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Xunit.Abstractions;

namespace LogPipeline.AppHost.Tests;

/// <summary>
/// The whole AppHost started by Aspire.Hosting.Testing on local infrastructure (the orchestrator,
/// embedded Kafka, this machine's mariadbd or SQLite, the migrations, producer, processor and API):
/// a fixed number of synthetic events goes through, and the API answers each exactly once.
/// </summary>
public sealed class PipelineEndToEndTests(ITestOutputHelper output)
{
    private const int Events = 2000;

    // Generous for a busy 2-core machine; the waits end as soon as the condition holds.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan DataTimeout = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData("MariaDb")]
    [InlineData("Sqlite")]
    public async Task EveryProducedEventIsQueryableExactlyOnceAndCountedInTheVolumeStats(string store)
    {
        using var folder = new TempFolder();
        var clock = Stopwatch.StartNew();
        {
            // Own logs off: this counts the producer's events, and the services' own lines would be stored too.
            await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LogPipeline_AppHost>(AppHostArguments.Local(store, folder.Path, "--Pipeline:OwnLogs=false"));
            var producer = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "producer");
            builder.CreateResourceBuilder(producer).WithEnvironment("Producer__MaxEvents", Events.ToString(CultureInfo.InvariantCulture));

            await using var app = await builder.BuildAsync();
            using var startTimeout = new CancellationTokenSource(StartTimeout);
            await app.StartAsync(startTimeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("api", startTimeout.Token);
            output.WriteLine($"{store}: api healthy {clock.Elapsed.TotalSeconds:F1} s after create");

            using var http = app.CreateHttpClient("api");
            http.DefaultRequestHeaders.Add("X-Api-Key", AppHostArguments.ApiKey);

            // Wide enough for every event (their timestamps are the producer's now), narrow enough for 1-minute buckets.
            var from = DateTime.UtcNow.AddHours(-1).ToString("O", CultureInfo.InvariantCulture);
            var to = DateTime.UtcNow.AddHours(1).ToString("O", CultureInfo.InvariantCulture);

            using var dataTimeout = new CancellationTokenSource(DataTimeout);
            IReadOnlyList<LogItem> items;
            long volumeTotal;
            while (true)
            {
                items = await AllLogsAsync(http, from, to, dataTimeout.Token);
                Assert.True(items.Count <= Events, $"{items.Count} events stored, more than the {Events} produced");
                volumeTotal = await VolumeTotalAsync(http, from, to, dataTimeout.Token);
                if (items.Count == Events && volumeTotal == items.Count(i => !i.IsLate))
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), dataTimeout.Token);
            }

            output.WriteLine($"{store}: {items.Count} events queryable, volume total {volumeTotal}, {clock.Elapsed.TotalSeconds:F1} s after create");

            // Exactly once: as many rows as events sent, each its own row (synthetic events have no
            // identity of their own: the same message can repeat within a millisecond).
            Assert.Equal(Events, items.Select(i => i.Id).Distinct().Count());

            // Still exactly that many a moment later: nothing arrives twice after the producer finished.
            await app.ResourceNotifications.WaitForResourceAsync("producer", KnownResourceStates.Finished, dataTimeout.Token);
            Assert.Equal(Events, (await AllLogsAsync(http, from, to, dataTimeout.Token)).Count);
        }

        output.WriteLine($"{store}: stopped {clock.Elapsed.TotalSeconds:F1} s after create");
        Assert.DoesNotContain(Process.GetProcessesByName("mariadbd"), p => AppHostProcess.CommandLine(p.Id).Contains(folder.Path, StringComparison.Ordinal));
    }

    /// <summary>Every row in the range, page by page with the cursor the API hands back.</summary>
    private static async Task<IReadOnlyList<LogItem>> AllLogsAsync(HttpClient http, string from, string to, CancellationToken cancellationToken)
    {
        var items = new List<LogItem>();
        string? cursor = null;
        do
        {
            var query = $"/api/logs?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}&limit=1000"
                + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await http.GetFromJsonAsync<LogPage>(query, cancellationToken);
            items.AddRange(page!.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return items;
    }

    private static async Task<long> VolumeTotalAsync(HttpClient http, string from, string to, CancellationToken cancellationToken)
    {
        var volume = await http.GetFromJsonAsync<Volume>($"/api/stats/volume?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}&bucket=1m", cancellationToken);
        return volume!.Series.Sum(s => s.Points.Sum(p => p.Count));
    }

    private sealed record LogPage(IReadOnlyList<LogItem> Items, string? NextCursor);

    private sealed record LogItem(long Id, DateTimeOffset Timestamp, string Service, string Message, string? SpanId, bool IsLate);

    private sealed record Volume(string Bucket, IReadOnlyList<VolumeSeries> Series);

    private sealed record VolumeSeries(string Key, IReadOnlyList<VolumePoint> Points);

    private sealed record VolumePoint(DateTime T, long Count);
}
