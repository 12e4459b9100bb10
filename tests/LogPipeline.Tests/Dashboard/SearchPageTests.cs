using System.Globalization;
using LogPipeline.Data;
using LogPipeline.Tests.Infrastructure;
using Microsoft.Playwright;
using static LogPipeline.Tests.Infrastructure.BrowserPage;
using static Microsoft.Playwright.Assertions;

namespace LogPipeline.Tests.Dashboard;

/// <summary>
/// The dashboard's search view and drill-downs in Chromium, against the whole pipeline running as its
/// own process (synthetic logs through embedded Kafka and the real processor into SQLite or MariaDB).
/// The page's rows and counts are compared with what the API answers for the same filters and range,
/// which the API tests compare with the events themselves. Each test saves screenshots.
/// </summary>
public abstract class SearchPageTests(SearchPageHost host)
{
    public sealed class OnSqlite(SearchPageHost.Sqlite host) : SearchPageTests(host), IClassFixture<SearchPageHost.Sqlite>;

    public sealed class OnMariaDb(SearchPageHost.MariaDb host) : SearchPageTests(host), IClassFixture<SearchPageHost.MariaDb>;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private string Engine => host.Provider == StoreProvider.Sqlite ? "sqlite" : "mariadb";

    [Fact]
    public async Task SearchShowsTheMatchingRowsNewestFirstWithTheirCountPagesBackAndLivesInTheUrl()
    {
        // Warnings and worse of one service in a past range: stable while the pipeline keeps running.
        var (from, to) = host.PastRange;
        var sample = (await host.LogsAsync($"level=warn&from={from}&to={to}&limit=1")).Items[0];
        var filters = $"service={Esc(sample.Service)}&level=warn&from={from}&to={to}";
        var expected = await host.AllIdsAsync(filters);
        var count = await host.GetAsync<CountDto>($"api/logs/count?{filters}");
        Assert.Equal(expected.Count, count.Count);
        Assert.Equal("aggregates", count.Source);

        await using var browser = await BrowserPage.OpenAsync(host.Process);
        var page = browser.Page;
        try
        {
            await page.GotoAsync(host.Process.BaseAddress + "?view=search");
            await page.FillAsync("#s-service", sample.Service);
            await page.SelectOptionAsync("#s-level", "warn");
            await page.SelectOptionAsync("#s-range", "custom");
            await page.FillAsync("#s-from", Uri.UnescapeDataString(from));
            await page.FillAsync("#s-to", Uri.UnescapeDataString(to));
            await page.ClickAsync("#search-form button[type=submit]");

            await Expect(page.Locator("#s-count")).ToHaveAttributeAsync("data-count", expected.Count.ToString(CultureInfo.InvariantCulture), Patiently());
            await Expect(page.Locator("#s-count")).ToHaveAttributeAsync("data-source", "aggregates");
            Assert.Equal(expected.Take(100), await RowIdsAsync(page));

            // Older results through the cursor, until there are none.
            var more = page.Locator("#s-more");
            while (await more.IsVisibleAsync())
            {
                var shown = (await RowIdsAsync(page)).Count;
                await more.ClickAsync();
                await page.WaitForFunctionAsync("n => document.querySelectorAll('#results tr.result').length > n", shown);
            }

            Assert.Equal(expected, await RowIdsAsync(page));
            Assert.All(await page.Locator("#results tr.result td.level").AllInnerTextsAsync(), l => Assert.Contains(l.ToLowerInvariant(), new[] { "warn", "error", "fatal" }));

            // The URL holds the search: a reload shows it again, and Back returns to the one before.
            Assert.Contains($"service={Esc(sample.Service)}", page.Url, StringComparison.Ordinal);
            await page.ReloadAsync();
            await Expect(page.Locator("#s-count")).ToHaveAttributeAsync("data-count", expected.Count.ToString(CultureInfo.InvariantCulture), Patiently());
            await Expect(page.Locator("#s-service")).ToHaveValueAsync(sample.Service);
            await Expect(page.Locator("#s-level")).ToHaveValueAsync("warn");
            Assert.Equal(expected.Take(100), await RowIdsAsync(page));

            // A text search is counted on the rows, not the aggregates.
            var word = sample.Message.Split(' ', StringSplitOptions.RemoveEmptyEntries).First(w => w.Length >= 4);
            await page.FillAsync("#s-q", word);
            await page.PressAsync("#s-q", "Enter");
            var textFilters = $"{filters}&q={Esc(word)}";
            var textIds = await host.AllIdsAsync(textFilters);
            await Expect(page.Locator("#s-count")).ToHaveAttributeAsync("data-source", "events", Patiently());
            await Expect(page.Locator("#s-count")).ToHaveAttributeAsync("data-count", textIds.Count.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(textIds.Take(100), await RowIdsAsync(page));

            await page.GoBackAsync();
            await Expect(page.Locator("#s-q")).ToHaveValueAsync("");
            await Expect(page.Locator("#s-count")).ToHaveAttributeAsync("data-count", expected.Count.ToString(CultureInfo.InvariantCulture), Patiently());
            browser.AssertNoProblems();
        }
        finally
        {
            await browser.ScreenshotAsync($"search-{Engine}.png");
        }
    }

    [Fact]
    public async Task ARowOpensToEveryFieldAndItsTraceIdShowsTheWholeTraceOldestFirst()
    {
        // The middle event of the three-service trace the fixture produced (the generator's traces have one event each).
        var (from, to) = host.PastRange;
        var trace = (await host.LogsAsync($"traceId={SearchPageHost.TraceId}&from={from}&to={to}")).Items;
        Assert.Equal(["inventory", "payments", "checkout"], trace.Select(i => i.Service));
        var e = trace[1];

        await using var browser = await BrowserPage.OpenAsync(host.Process);
        var page = browser.Page;
        try
        {
            await page.GotoAsync(host.Process.BaseAddress + $"?view=search&service={Esc(e.Service)}&traceId={e.TraceId}&from={from}&to={to}");
            var row = page.Locator($"#results tr.result[data-id='{e.Id}']");
            await row.ClickAsync(new() { Timeout = Milliseconds(Wait) });
            var detail = page.Locator($"#results tr.detail[data-id='{e.Id}']");
            await Expect(detail).ToBeVisibleAsync();
            await Expect(detail.Locator("dd[data-field='trace id'] span")).ToHaveTextAsync(e.TraceId!);
            await Expect(detail.Locator("dd[data-field='span id'] span")).ToHaveTextAsync(e.SpanId!);
            await Expect(detail.Locator("dd[data-field='message'] span")).ToHaveTextAsync(e.Message);
            await Expect(detail.Locator("dd[data-field='host'] span")).ToHaveTextAsync(e.Host);
            await Expect(detail.Locator("dd[data-field='http'] span")).ToHaveTextAsync($"{e.Http!.Method} {e.Http.Path} {e.Http.Status} 12.5 ms 2048 bytes");
            await Expect(detail.Locator("dd[data-field='late'] span")).ToHaveTextAsync(e.IsLate ? new System.Text.RegularExpressions.Regex("^yes") : new("^no$"));
            foreach (var (key, value) in e.Attributes ?? new Dictionary<string, string>())
            {
                await Expect(detail.Locator($"dd[data-field='attribute {key}'] span")).ToHaveTextAsync(value);
            }

            if (e.Fingerprint is not null)
            {
                await Expect(detail.Locator("dd[data-field='fingerprint'] span")).ToHaveTextAsync(e.Fingerprint);
            }

            await page.ScreenshotAsync(new() { Path = Chromium.Artifact($"search-detail-{Engine}.png"), FullPage = true });

            // The trace: every event of it within half an hour either side, all services, oldest first.
            await detail.Locator("dd[data-field='trace id'] button").ClickAsync();
            var at = e.Timestamp.UtcDateTime;
            var traceIds = await host.AllIdsAsync($"traceId={e.TraceId}&from={Iso(at.AddMinutes(-30))}&to={Iso(at.AddMinutes(30))}");
            traceIds.Reverse();
            await Expect(page.Locator("#s-count")).ToHaveAttributeAsync("data-count", traceIds.Count.ToString(CultureInfo.InvariantCulture), Patiently());
            Assert.Equal(traceIds, await RowIdsAsync(page));
            Assert.Equal(trace.Select(i => i.Id).Reverse(), traceIds);
            Assert.Equal(["checkout", "payments", "inventory"], await page.Locator("#results tr.result td:nth-child(3)").AllInnerTextsAsync());
            await Expect(page.Locator("#s-summary")).ToContainTextAsync("oldest first");
            Assert.Contains("order=oldest", page.Url, StringComparison.Ordinal);
            await Expect(page.Locator("#s-service")).ToHaveValueAsync("");
            browser.AssertNoProblems();
        }
        finally
        {
            await browser.ScreenshotAsync($"search-trace-{Engine}.png");
        }
    }

    [Fact]
    public async Task ATopErrorTemplateAChartPointAndAnAnomalyBandOpenTheirEvents()
    {
        await using var browser = await BrowserPage.OpenAsync(host.Process);
        var page = browser.Page;
        try
        {
            await page.GotoAsync(host.Process.BaseAddress + "?range=15m");

            // A top error's template: its events in the overview's range, then in the past range whose rows are settled.
            var top = page.Locator("#top-errors tbody tr[data-fingerprint]").First;
            await Expect(top).ToBeVisibleAsync(new() { Timeout = Milliseconds(Wait) });
            var fingerprint = await top.GetAttributeAsync("data-fingerprint");
            var service = await top.Locator("td").Nth(1).InnerTextAsync();
            await top.ClickAsync();
            await Expect(page.Locator("#s-fingerprint")).ToHaveValueAsync(fingerprint!);
            await Expect(page.Locator("#s-service")).ToHaveValueAsync(service);
            await Expect(page.Locator("#s-range")).ToHaveValueAsync("15m");
            await Expect(page.Locator("#s-count")).ToHaveAttributeAsync("data-source", "events", Patiently());
            var (from, to) = host.PastRange;
            await page.SelectOptionAsync("#s-range", "custom");
            await page.FillAsync("#s-from", Uri.UnescapeDataString(from));
            await page.FillAsync("#s-to", Uri.UnescapeDataString(to));
            await page.ClickAsync("#search-form button[type=submit]");
            var ids = await host.AllIdsAsync($"fingerprint={fingerprint}&service={Esc(service)}&from={from}&to={to}");
            Assert.NotEmpty(ids);
            await Expect(page.Locator("#s-count")).ToHaveAttributeAsync("data-count", ids.Count.ToString(CultureInfo.InvariantCulture), Patiently());
            Assert.Equal(ids.Take(100), await RowIdsAsync(page));
            await page.ScreenshotAsync(new() { Path = Chromium.Artifact($"search-template-{Engine}.png"), FullPage = true });

            // Back to the overview: a point of the error-rate chart opens that minute's errors (a past minute, settled).
            await page.GoBackAsync();
            await page.GoBackAsync();
            var chart = page.Locator("#errors-chart");
            await Expect(chart).ToHaveAttributeAsync("data-anomaly-bands", "1", new() { Timeout = Milliseconds(Wait) });
            var over = page.Locator("#errors-chart .u-over");
            var box = (await over.BoundingBoxAsync())!;
            var xMin = double.Parse((await chart.GetAttributeAsync("data-x-min"))!, CultureInfo.InvariantCulture);
            var xMax = double.Parse((await chart.GetAttributeAsync("data-x-max"))!, CultureInfo.InvariantCulture);
            var pointAt = (host.PointMinute.AddSeconds(10) - DateTime.UnixEpoch).TotalSeconds;
            await over.HoverAsync(new() { Position = new() { X = (float)(box.Width * (pointAt - xMin) / (xMax - xMin)), Y = box.Height / 2 } });
            await over.ClickAsync(new() { Position = new() { X = (float)(box.Width * (pointAt - xMin) / (xMax - xMin)), Y = box.Height / 2 } });
            await Expect(page.Locator("#s-range")).ToHaveValueAsync("custom");
            Assert.Equal(host.PointMinute, Instant(await page.InputValueAsync("#s-from")));
            Assert.Equal(host.PointMinute.AddMinutes(1), Instant(await page.InputValueAsync("#s-to")));
            await Expect(page.Locator("#s-level")).ToHaveValueAsync("error");
            var pointService = await page.InputValueAsync("#s-service");
            var pointIds = await host.AllIdsAsync($"from={Iso(host.PointMinute)}&to={Iso(host.PointMinute.AddMinutes(1))}&level=error" + (pointService.Length > 0 ? $"&service={Esc(pointService)}" : ""));
            Assert.NotEmpty(pointIds);
            await Expect(page.Locator("#s-count")).ToHaveAttributeAsync("data-count", pointIds.Count.ToString(CultureInfo.InvariantCulture), Patiently());
            Assert.Equal(pointIds.Take(100), await RowIdsAsync(page));

            // The anomaly band: that service over the anomaly.
            await page.GoBackAsync();
            await Expect(chart).ToHaveAttributeAsync("data-anomaly-bands", "1", new() { Timeout = Milliseconds(Wait) });
            var bandX = double.Parse((await chart.GetAttributeAsync("data-anomaly-bands-at"))!.Split(' ')[0], CultureInfo.InvariantCulture);
            await over.ClickAsync(new() { Position = new() { X = (float)bandX, Y = 30 } });
            await Expect(page.Locator("#s-service")).ToHaveValueAsync("checkout");
            var anomalyFrom = Instant(await page.InputValueAsync("#s-from"));
            var anomalyTo = Instant(await page.InputValueAsync("#s-to"));
            Assert.Equal(host.AnomalyStart, anomalyFrom);
            Assert.Equal(host.AnomalyStart.AddMinutes(1), anomalyTo);
            var anomalyIds = await host.AllIdsAsync($"service=checkout&from={Iso(anomalyFrom)}&to={Iso(anomalyTo)}");
            Assert.NotEmpty(anomalyIds);
            await Expect(page.Locator("#s-count")).ToHaveAttributeAsync("data-count", anomalyIds.Count.ToString(CultureInfo.InvariantCulture), Patiently());
            Assert.Equal(anomalyIds.Take(100), await RowIdsAsync(page));
            browser.AssertNoProblems();
        }
        finally
        {
            await browser.ScreenshotAsync($"search-anomaly-{Engine}.png");
        }
    }

    [Fact]
    public async Task TheLiveTailFiltersByLevelAndTextAndPauses()
    {
        await using var browser = await BrowserPage.OpenAsync(host.Process);
        var page = browser.Page;
        try
        {
            await page.GotoAsync(host.Process.BaseAddress.ToString());
            await page.SelectOptionAsync("#tail-level", "warn");
            var rows = page.Locator("#tail tbody tr[data-id]");
            await Expect(rows.Nth(2)).ToBeVisibleAsync(new() { Timeout = Milliseconds(Wait) });
            Assert.All(await page.Locator("#tail tbody td.level").AllInnerTextsAsync(), l => Assert.Contains(l.ToLowerInvariant(), new[] { "warn", "error", "fatal" }));

            // Text: the word most of the rows seen have (a common one, so that more arrive); every row after that contains it.
            var messages = await page.Locator("#tail tbody td.message").AllInnerTextsAsync();
            var word = messages.SelectMany(m => m.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length >= 4).Distinct())
                .GroupBy(w => w, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
            await page.FillAsync("#tail-q", word);
            await Expect(page.Locator("#tail-state")).ToContainTextAsync(word, new() { Timeout = Milliseconds(Wait) });
            await Expect(rows.First).ToBeVisibleAsync(new() { Timeout = Milliseconds(Wait) });
            Assert.All(await page.Locator("#tail tbody td.message").AllInnerTextsAsync(), m => Assert.Contains(word, m, StringComparison.OrdinalIgnoreCase));

            // Paused, nothing is added; resumed, what arrived meanwhile shows.
            await page.FillAsync("#tail-q", "");
            await Expect(rows.Nth(2)).ToBeVisibleAsync(new() { Timeout = Milliseconds(Wait) });
            await page.CheckAsync("#tail-pause");
            var received = await page.Locator("#tail").GetAttributeAsync("data-received");
            await Expect(page.Locator("#tail-state")).ToContainTextAsync("paused");
            await page.WaitForTimeoutAsync(3000);
            Assert.Equal(received, await page.Locator("#tail").GetAttributeAsync("data-received"));
            await page.UncheckAsync("#tail-pause");
            await page.WaitForFunctionAsync("n => document.querySelector('#tail').dataset.received !== n", received, new() { Timeout = Milliseconds(Wait) });
            browser.AssertNoProblems();
        }
        finally
        {
            await browser.ScreenshotAsync($"tail-filters-{Engine}.png");
        }
    }

    [Fact]
    public async Task BadInputShowsTheApisMessageBesideItsField()
    {
        // The 400s are the point here, so the page's failed requests are not problems.
        await using var browser = await BrowserPage.OpenAsync(host.Process, width: 420);
        var page = browser.Page;
        try
        {
            await page.GotoAsync(host.Process.BaseAddress + "?view=search&traceId=xyz");
            await Expect(page.Locator(".field-error[data-for='traceId']")).ToHaveTextAsync("traceId must be 32 hexadecimal digits (a W3C trace id).", new() { Timeout = Milliseconds(Wait) });
            await Expect(page.Locator("#s-traceId")).ToHaveAttributeAsync("aria-invalid", "true");
            await Expect(page.Locator("#results tbody tr.placeholder")).ToBeVisibleAsync();
            await page.ScreenshotAsync(new() { Path = Chromium.Artifact($"search-bad-trace-{Engine}.png"), FullPage = true });

            await page.FillAsync("#s-traceId", "");
            await page.SelectOptionAsync("#s-range", "custom");
            await page.FillAsync("#s-from", "2025-01-02T00:00:00Z");
            await page.FillAsync("#s-to", "2025-01-01T00:00:00Z");
            await page.ClickAsync("#search-form button[type=submit]");
            await Expect(page.Locator(".field-error[data-for='from']")).ToHaveTextAsync("from must be before to.", new() { Timeout = Milliseconds(Wait) });
            await Expect(page.Locator(".field-error[data-for='traceId']")).ToBeHiddenAsync();

            await page.FillAsync("#s-from", "2025-01-01T00:00:00Z");
            await page.FillAsync("#s-to", "2025-03-01T00:00:00Z");
            await page.ClickAsync("#search-form button[type=submit]");
            await Expect(page.Locator(".field-error[data-for='to']")).ToContainTextAsync("at most 31 days", new() { Timeout = Milliseconds(Wait) });
            await Expect(page.Locator(".field-error[data-for='from']")).ToBeHiddenAsync();

            await page.FillAsync("#s-from", "yesterday");
            await page.ClickAsync("#search-form button[type=submit]");
            await Expect(page.Locator(".field-error[data-for='from']")).ToContainTextAsync("from must be an ISO-8601 instant", new() { Timeout = Milliseconds(Wait) });
            await Expect(page.Locator("#search-form")).ToBeVisibleAsync();
        }
        finally
        {
            await browser.ScreenshotAsync($"search-bad-input-{Engine}.png");
        }
    }

    [Fact]
    public async Task ANarrowWindowKeepsTheSearchAndTheOverviewUsable()
    {
        await using var browser = await BrowserPage.OpenAsync(host.Process, width: 420);
        var page = browser.Page;
        try
        {
            var (from, to) = host.PastRange;
            await page.GotoAsync(host.Process.BaseAddress + $"?view=search&from={from}&to={to}");
            var first = page.Locator("#results tr.result").First;
            await first.ClickAsync(new() { Timeout = Milliseconds(Wait) });
            await Expect(page.Locator("#results tr.detail")).ToBeVisibleAsync();

            // A broad text search over the whole range: counted up to the cap, and said so.
            await page.FillAsync("#s-q", "HTTP");
            await page.PressAsync("#s-q", "Enter");
            await Expect(page.Locator("#s-count")).ToHaveAttributeAsync("data-capped", "true", Patiently());
            await Expect(page.Locator("#s-count")).ToHaveTextAsync("more than 1,000 matches (counting stopped there)");
            Assert.True((await host.GetAsync<CountDto>($"api/logs/count?q=HTTP&from={from}&to={to}")).Capped);
            await page.Locator("#results tr.result").First.ClickAsync();

            // Nothing wider than the window: no sideways scrolling.
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the search view scrolls sideways at 420 px");
            await page.ScreenshotAsync(new() { Path = Chromium.Artifact($"search-narrow-{Engine}.png"), FullPage = true });

            await page.ClickAsync("#tab-overview");
            await Expect(page.Locator("#volume-chart canvas")).ToHaveCountAsync(1, new() { Timeout = Milliseconds(Wait) });
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the overview scrolls sideways at 420 px");
            browser.AssertNoProblems();
        }
        finally
        {
            await browser.ScreenshotAsync($"overview-narrow-{Engine}.png");
        }
    }

    private static async Task<List<long>> RowIdsAsync(IPage page) =>
        (await page.Locator("#results tr.result").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)"))
            .Select(id => long.Parse(id, CultureInfo.InvariantCulture)).ToList();

    /// <summary>The range the page's count was made for, as query values.</summary>
    private static async Task<(string From, string To)> ShownRangeAsync(IPage page)
    {
        var count = page.Locator("#s-count");
        await Expect(count).ToHaveAttributeAsync("data-from", new System.Text.RegularExpressions.Regex("."), Patiently());
        return (Esc((await count.GetAttributeAsync("data-from"))!), Esc((await count.GetAttributeAsync("data-to"))!));
    }

    private static DateTime Instant(string text) =>
        DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static string Esc(string text) => Uri.EscapeDataString(text);

    private static string Iso(DateTime utc) => Esc(utc.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));

    private static LocatorAssertionsToHaveAttributeOptions Patiently() => new() { Timeout = Milliseconds(Wait) };
}
