using System.Globalization;
using LogPipeline.Data;
using LogPipeline.Tests.Infrastructure;
using Microsoft.Playwright;
using static LogPipeline.Tests.Infrastructure.BrowserPage;
using static Microsoft.Playwright.Assertions;

namespace LogPipeline.Tests.Dashboard;

/// <summary>
/// The dashboard with what a person would find ugly or confusing if the page handled it badly: an
/// empty store, messages far longer than a row, service and host names at the store's limits, and
/// sixty services in one chart. Two pipelines per engine run as their own processes, neither with the
/// synthetic producer: one left empty, one holding only the events this fixture sends through Kafka,
/// stored by the real processor. Each test saves screenshots.
/// </summary>
public abstract class PageCasesTests(PageCasesHost host)
{
    public sealed class OnSqlite(PageCasesHost.Sqlite host) : PageCasesTests(host), IClassFixture<PageCasesHost.Sqlite>;

    public sealed class OnMariaDb(PageCasesHost.MariaDb host) : PageCasesTests(host), IClassFixture<PageCasesHost.MariaDb>;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static readonly string[] Charts = ["#volume-chart", "#errors-chart", "#latency-chart"];

    private string Engine => host.Provider == StoreProvider.Sqlite ? "sqlite" : "mariadb";

    [Fact]
    public async Task AnEmptyStoreSaysSoInEveryPanelAndASearchSaysNothingMatched()
    {
        await using var browser = await BrowserPage.OpenAsync(host.Empty);
        var page = browser.Page;
        try
        {
            await page.GotoAsync(host.Empty.BaseAddress.ToString());
            await Expect(page.Locator("#status")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^updated "), PatientText());

            // Every chart says there is nothing, in words, over an empty plot (not a blank box).
            await Expect(page.Locator("#volume-chart .empty")).ToHaveTextAsync("no events in this range");
            await Expect(page.Locator("#errors-chart .empty")).ToHaveTextAsync("no events in this range");
            await Expect(page.Locator("#latency-chart .empty")).ToHaveTextAsync("no HTTP requests in this range");
            foreach (var chart in Charts)
            {
                await Expect(page.Locator($"{chart} canvas")).ToHaveCountAsync(1);
                await Expect(page.Locator(chart)).ToHaveAttributeAsync("data-points", "0");

                // Its axis reads as a scale, not as "0 0 0 1 1 1" (fifths of an empty range rounded).
                var ticks = (await page.Locator(chart).GetAttributeAsync("data-y-ticks"))!.Split(' ');
                Assert.True(ticks.Distinct().Count() == ticks.Length, $"{chart}'s axis reads {string.Join(' ', ticks)}");
            }

            await Expect(page.Locator("#top-errors tbody tr.placeholder")).ToHaveTextAsync("no warnings or errors in this range");
            await Expect(page.Locator("#dead-letters tbody tr.placeholder")).ToHaveTextAsync("no rejected records in this range");
            await Expect(page.Locator("#tail-state")).ToHaveTextAsync("live: all services", new() { Timeout = Milliseconds(Wait) });
            await Expect(page.Locator("#tail tbody tr.placeholder")).ToHaveTextAsync("waiting for new events that match…");
            await Expect(page.Locator("#service option")).ToHaveTextAsync(["all services"]);
            await Expect(page.Locator("#anomaly-summary")).ToHaveTextAsync("");
            await page.ScreenshotAsync(new() { Path = Chromium.Artifact($"empty-overview-{Engine}.png"), FullPage = true });

            // The search: no events at all, then a filter that matches none; each says which, and no spinner stays.
            await page.ClickAsync("#tab-search");
            await Expect(page.Locator("#s-count")).ToHaveTextAsync("0 matches", PatientText());
            await Expect(page.Locator("#results tbody tr.placeholder")).ToHaveTextAsync(
                "No events in this range. Pick a longer time range, or check that the pipeline is receiving logs.");
            await Expect(page.Locator("#s-summary")).Not.ToContainTextAsync("searching");
            await page.FillAsync("#s-q", "timeout");
            await page.PressAsync("#s-q", "Enter");
            await Expect(page.Locator("#results tbody tr.placeholder")).ToHaveTextAsync(
                "No events match in this range. Widen the time range or clear a filter (q).", PatientText());
            await Expect(page.Locator("#s-count")).ToHaveTextAsync("0 matches");
            await Expect(page.Locator("#s-more")).ToBeHiddenAsync();
            browser.AssertNoProblems();
        }
        finally
        {
            await browser.ScreenshotAsync($"empty-search-{Engine}.png");
        }
    }

    [Fact]
    public async Task VeryLongMessagesServicesAndHostsStayInsideTheWindowAndTheDetailShowsThemWhole()
    {
        await using var browser = await BrowserPage.OpenAsync(host.Filled);
        var page = browser.Page;
        try
        {
            await page.GotoAsync(host.Filled.BaseAddress.ToString());

            // Top errors: the long templates are the most frequent; each row stays a few lines tall, its sample one line.
            var topToken = page.Locator("#top-errors tbody tr[data-fingerprint]").First;
            await Expect(topToken.Locator("td").Nth(1)).ToHaveTextAsync(PageCasesHost.LongService, PatientText());
            foreach (var row in await page.Locator("#top-errors tbody tr[data-fingerprint]").AllAsync())
            {
                var height = (await row.BoundingBoxAsync())!.Height;
                Assert.True(height <= 80, $"a top-errors row is {height:0} px tall");
            }

            await ExpectClippedAsync(topToken.Locator("td").Nth(3), "the top error's sample");
            await ExpectNoSidewaysScrollAsync(page, "the overview with long top errors");

            // The live tail: a long event that arrives while the page watches is one clipped line.
            await Expect(page.Locator("#tail-state")).ToHaveTextAsync("live: all services", new() { Timeout = Milliseconds(Wait) });
            host.ProduceLongToken();
            var tailRow = page.Locator($"#tail tbody tr[data-service='{PageCasesHost.LongService}']").First;
            await Expect(tailRow).ToBeVisibleAsync(new() { Timeout = Milliseconds(Wait) });
            await ExpectClippedAsync(tailRow.Locator("td.message"), "the tail's message");
            await ExpectClippedAsync(tailRow.Locator("td").Nth(2), "the tail's service");
            Assert.True((await tailRow.BoundingBoxAsync())!.Height <= 40, "a tail row with a long message is more than one line");
            await ExpectNoSidewaysScrollAsync(page, "the overview with a long tail row");
            await page.ScreenshotAsync(new() { Path = Chromium.Artifact($"long-overview-{Engine}.png"), FullPage = true });

            // The search's rows: one line each, host and service cut with an ellipsis.
            await page.GotoAsync(host.Filled.BaseAddress + $"?view=search&service={Uri.EscapeDataString(PageCasesHost.LongService)}&range=1h");
            var items = (await host.LogsAsync(host.Filled, $"service={Uri.EscapeDataString(PageCasesHost.LongService)}&limit=100")).Items;
            await Expect(page.Locator("#results tr.result")).ToHaveCountAsync(items.Count, new() { Timeout = Milliseconds(Wait) });
            var token = items.First(i => i.Message.StartsWith("payload=", StringComparison.Ordinal));
            var stack = items.First(i => i.Message.Contains('\n', StringComparison.Ordinal));
            var tokenRow = page.Locator($"#results tr.result[data-id='{token.Id}']");
            await ExpectClippedAsync(tokenRow.Locator("td.message"), "the result's message");
            await ExpectClippedAsync(tokenRow.Locator("td").Nth(2), "the result's service");
            await ExpectClippedAsync(tokenRow.Locator("td").Nth(3), "the result's host");
            Assert.True((await tokenRow.BoundingBoxAsync())!.Height <= 40, "a result row with a long message is more than one line");

            // The detail: the message as the API has it, wrapped within the window; the store's cut is said.
            Assert.Equal(StoreLimits.TextLength, token.Message.Length);
            Assert.Equal(PageCasesHost.LongHost, token.Host);
            await tokenRow.ClickAsync();
            var detail = page.Locator($"#results tr.detail[data-id='{token.Id}']");
            await Expect(detail).ToBeVisibleAsync();
            var tokenText = detail.Locator("dd[data-field='message'] > span");
            Assert.Equal(token.Message, await tokenText.TextContentAsync());
            await Expect(detail.Locator("dd[data-field='message'] .cut")).ToHaveTextAsync(
                "the store keeps 16,000 characters of a message: anything after that was cut");
            await Expect(detail.Locator("dd[data-field='message'] .cut")).ToBeInViewportAsync();

            // The message scrolls in its own box, so the fields after it (the id last) are still near.
            Assert.True(await tokenText.EvaluateAsync<bool>("span => span.scrollHeight > span.clientHeight"), "the long message does not scroll in its box");
            var detailHeight = (await detail.BoundingBoxAsync())!.Height;
            Assert.True(detailHeight <= 500, $"the detail of a long message is {detailHeight:0} px tall");
            Assert.Equal(PageCasesHost.LongHost, await detail.Locator("dd[data-field='host'] span").TextContentAsync());
            await ExpectWrappedAsync(detail.Locator("dd[data-field='message']"), "the detail's message");
            await ExpectWrappedAsync(detail.Locator("dd[data-field='host']"), "the detail's host");
            await ExpectNoSidewaysScrollAsync(page, "the search with a long message open");
            await page.ScreenshotAsync(new() { Path = Chromium.Artifact($"long-detail-{Engine}.png"), FullPage = true });
            await tokenRow.ClickAsync();

            // A stack trace: whole, line by line, and not said to be cut.
            var stackRow = page.Locator($"#results tr.result[data-id='{stack.Id}']");
            await stackRow.ClickAsync();
            var stackDetail = page.Locator($"#results tr.detail[data-id='{stack.Id}']");
            await Expect(stackDetail).ToBeVisibleAsync();
            Assert.Equal(stack.Message, await stackDetail.Locator("dd[data-field='message'] > span").TextContentAsync());
            Assert.Equal(PageCasesHost.StackMessage, stack.Message);
            await Expect(stackDetail.Locator("dd[data-field='message'] .cut")).ToHaveCountAsync(0);
            var shownLines = await stackDetail.Locator("dd[data-field='message'] > span").EvaluateAsync<int>(
                "span => Math.round(span.scrollHeight / parseFloat(getComputedStyle(span).lineHeight))");
            Assert.True(shownLines >= stack.Message.Split('\n').Length, $"the stack trace's {stack.Message.Split('\n').Length} lines show as {shownLines}");
            await ExpectWrappedAsync(stackDetail.Locator("dd[data-field='message']"), "the detail's stack trace");
            await ExpectNoSidewaysScrollAsync(page, "the search with a stack trace open");
            await stackDetail.ScrollIntoViewIfNeededAsync();
            browser.AssertNoProblems();
        }
        finally
        {
            await browser.ScreenshotAsync($"long-stack-{Engine}.png");
        }
    }

    [Fact]
    public async Task SixtyServicesAreListedInOrderAndTheirChartsStayReadable()
    {
        await using var browser = await BrowserPage.OpenAsync(host.Filled);
        var page = browser.Page;
        try
        {
            await page.GotoAsync(host.Filled.BaseAddress.ToString());
            var sorted = host.Services.Order(StringComparer.Ordinal).ToList();
            await Expect(page.Locator("#service option")).ToHaveCountAsync(sorted.Count + 1, new() { Timeout = Milliseconds(Wait) });
            Assert.Equal(sorted, (await page.Locator("#service option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)")).Skip(1));
            Assert.Equal(sorted, (await page.Locator("#latency-service option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)")).Skip(1));
            Assert.Equal(sorted, await page.Locator("#s-services option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)"));

            // Each service's series in the error-rate and latency charts.
            foreach (var chart in new[] { "#errors-chart", "#latency-chart" })
            {
                await Expect(page.Locator(chart)).ToHaveAttributeAsync("data-series", sorted.Count.ToString(CultureInfo.InvariantCulture), Patiently());
            }

            var plotHeights = new List<float>();
            foreach (var chart in Charts)
            {
                // The plot keeps its height; the legend sits below it, not over it, and does not stretch the row of charts.
                var plot = (await page.Locator($"{chart} .u-over").BoundingBoxAsync())!;
                plotHeights.Add(plot.Height);
                var legend = (await page.Locator($"{chart} .u-legend").BoundingBoxAsync())!;
                var panel = (await page.Locator(chart).Locator("xpath=..").BoundingBoxAsync())!;
                Assert.True(plot.Height >= 140, $"{chart}'s plot is {plot.Height:0} px tall");
                Assert.True(legend.Y >= plot.Y + plot.Height, $"{chart}'s legend covers its plot");
                Assert.True(legend.Y + legend.Height <= panel.Y + panel.Height, $"{chart}'s legend leaves its panel");
                Assert.True(panel.Height <= 400, $"{chart}'s panel is {panel.Height:0} px tall");
                Assert.True(panel.X + panel.Width <= 1280, $"{chart}'s panel leaves the window");
            }

            // Side by side at the same height (a caption wrapped around a wide select lowered one).
            Assert.True(plotHeights.Distinct().Count() == 1, $"the plots are {string.Join(", ", plotHeights)} px tall");

            // Sixty colors a person can tell apart in the legend: no two services share one.
            foreach (var chart in new[] { "#errors-chart", "#latency-chart" })
            {
                var colors = await page.Locator($"{chart} .u-legend tr.u-series:not(:first-child) .u-marker")
                    .EvaluateAllAsync<string[]>("ms => ms.map(m => getComputedStyle(m).borderColor)");
                Assert.Equal(sorted.Count, colors.Length);
                Assert.Equal(colors.Length, colors.Distinct().Count());
            }

            // The service choosers fit their places, the long name included.
            foreach (var select in new[] { "#service", "#latency-service" })
            {
                var box = (await page.Locator(select).BoundingBoxAsync())!;
                var within = (await page.Locator(select).Locator("xpath=ancestor::*[self::header or self::figure][1]").BoundingBoxAsync())!;
                Assert.True(box.X + box.Width <= within.X + within.Width, $"{select} reaches past its {(select == "#service" ? "header" : "panel")}");
            }

            await ExpectNoSidewaysScrollAsync(page, "the overview with sixty services");
            await page.ScreenshotAsync(new() { Path = Chromium.Artifact($"services-overview-{Engine}.png"), FullPage = true });

            // Choosing the long-named service in the header narrows the page to it.
            await page.SelectOptionAsync("#service", PageCasesHost.LongService);
            await Expect(page.Locator("#errors-chart")).ToHaveAttributeAsync("data-series", "1", Patiently());
            await ExpectNoSidewaysScrollAsync(page, "the overview of the long-named service");
            browser.AssertNoProblems();
        }
        finally
        {
            await browser.ScreenshotAsync($"services-one-{Engine}.png");
        }
    }

    private static async Task ExpectNoSidewaysScrollAsync(IPage page, string what)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(widths[0] <= widths[1], $"{what} scrolls sideways: {widths[0]} px wide in a {widths[1]} px window");
    }

    /// <summary>A table cell too narrow for its text: one line, cut with an ellipsis.</summary>
    private static async Task ExpectClippedAsync(ILocator cell, string what)
    {
        var state = await cell.EvaluateAsync<string>(
            "td => { const s = getComputedStyle(td); return `${td.scrollWidth > td.clientWidth} ${s.textOverflow} ${s.whiteSpace} ${s.overflowX}`; }");
        Assert.True(state == "true ellipsis nowrap hidden", $"{what} is not one clipped line: {state}");
    }

    /// <summary>A detail's value: wrapped within its box, nothing hidden sideways.</summary>
    private static async Task ExpectWrappedAsync(ILocator value, string what)
    {
        var widths = await value.EvaluateAsync<int[]>("dd => [dd.scrollWidth, dd.clientWidth]");
        Assert.True(widths[0] <= widths[1], $"{what} is {widths[0]} px wide in {widths[1]} px");
    }

    private static LocatorAssertionsToHaveAttributeOptions Patiently() => new() { Timeout = Milliseconds(Wait) };

    private static LocatorAssertionsToHaveTextOptions PatientText() => new() { Timeout = Milliseconds(Wait) };
}
