using System.Net.Http.Json;
using System.Text.RegularExpressions;
using LogPipeline.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LogPipeline.Tests.Dashboard;

/// <summary>
/// The dashboard page in a real browser (Debian's Chromium through Playwright) against the whole
/// pipeline running as its own process: synthetic logs through embedded Kafka and the processor
/// into SQLite, read back by the API the page calls.
/// </summary>
public sealed partial class DashboardTests
{
    private const string ChromiumPath = "/usr/bin/chromium";

    // Playwright cannot download its own browsers here; Debian's Chromium with these flags works
    // (without the networking ones it floods the closed network with refused connections).
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

    private static readonly TimeSpan DataTimeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Where the screenshot goes: <c>LOGPIPELINE_TEST_ARTIFACTS</c> if set, else <c>TestResults</c>
    /// beside the test assembly.
    /// </summary>
    public static string ArtifactsFolder =>
        Environment.GetEnvironmentVariable("LOGPIPELINE_TEST_ARTIFACTS") is { Length: > 0 } folder
            ? folder
            : Path.Combine(AppContext.BaseDirectory, "TestResults");

    [Fact]
    public async Task ShowsChartsTopErrorsAndALiveTailOfTheRunningPipeline()
    {
        if (!File.Exists(ChromiumPath))
        {
            Assert.Fail($"The dashboard test drives Debian's Chromium at {ChromiumPath}, which is missing: run `apt-get install chromium` (as root).");
        }

        using var folder = new TempFolder();
        using var host = StandaloneProcess.Start(folder.Path, new Dictionary<string, string?>
        {
            ["Producer:EventsPerSecond"] = "300",
        });
        await host.WaitHealthyAsync(TimeSpan.FromSeconds(90));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });

        var problems = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                lock (problems)
                {
                    problems.Add($"console error: {m.Text}");
                }
            }
        };
        page.PageError += (_, e) =>
        {
            lock (problems)
            {
                problems.Add($"page error: {e}");
            }
        };
        var origin = host.BaseAddress.GetLeftPart(UriPartial.Authority);
        page.Request += (_, r) =>
        {
            if (!r.Url.StartsWith(origin, StringComparison.Ordinal))
            {
                lock (problems)
                {
                    problems.Add($"request outside the API: {r.Url}");
                }
            }
        };

        page.Response += (_, r) =>
        {
            if (r.Status >= 400)
            {
                lock (problems)
                {
                    problems.Add($"HTTP {r.Status} for {r.Url}");
                }
            }
        };

        try
        {
            await page.GotoAsync(host.BaseAddress.ToString());
            // A fresh pipeline has minutes of data: the shortest range shows them best (and uses the selector).
            await page.SelectOptionAsync("#range", "15m");

            // Charts: each container reports how many non-empty points its series drew.
            var moreThanZero = MoreThanZero();
            var timeout = new LocatorAssertionsToHaveAttributeOptions { Timeout = (float)DataTimeout.TotalMilliseconds };
            await Expect(page.Locator("#volume-chart")).ToHaveAttributeAsync("data-points", moreThanZero, timeout);
            await Expect(page.Locator("#errors-chart")).ToHaveAttributeAsync("data-points", moreThanZero, timeout);
            await Expect(page.Locator("#latency-chart")).ToHaveAttributeAsync("data-points", moreThanZero, timeout);
            await Expect(page.Locator("#volume-chart")).ToHaveAttributeAsync("data-range", "15m", timeout);
            foreach (var chart in new[] { "#volume-chart", "#errors-chart", "#latency-chart" })
            {
                await Expect(page.Locator($"{chart} canvas")).ToHaveCountAsync(1);
            }

            // Top errors: rows of real templates, not the "nothing here" placeholder.
            var topErrors = page.Locator("#top-errors tbody tr[data-fingerprint]");
            await Expect(topErrors.First).ToBeVisibleAsync(new() { Timeout = (float)DataTimeout.TotalMilliseconds });
            Assert.True(await topErrors.CountAsync() > 0);
            Assert.False(string.IsNullOrWhiteSpace(await topErrors.First.Locator("td").Nth(0).InnerTextAsync()));

            // Live tail: rows keep arriving while the page is open, newest on top.
            var tail = page.Locator("#tail");
            var rows = page.Locator("#tail tbody tr");
            await Expect(rows.First).ToBeVisibleAsync(new() { Timeout = (float)DataTimeout.TotalMilliseconds });
            var receivedBefore = int.Parse(await tail.GetAttributeAsync("data-received") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            var newestBefore = long.Parse(await rows.First.GetAttributeAsync("data-id") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            await Expect(tail).Not.ToHaveAttributeAsync("data-received", receivedBefore.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 15_000 });
            await page.WaitForFunctionAsync(
                "before => Number(document.querySelector('#tail tbody tr')?.dataset.id ?? 0) > before", newestBefore, new() { Timeout = 15_000 });
            var receivedAfter = int.Parse(await tail.GetAttributeAsync("data-received") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(receivedAfter > receivedBefore, $"the live tail received no new rows ({receivedBefore} then {receivedAfter})");

            // A row that arrived while we watched is an event the API also has, with the same service and message.
            var newRow = rows.First;
            var id = long.Parse(await newRow.GetAttributeAsync("data-id") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(id > newestBefore);
            var service = await newRow.GetAttributeAsync("data-service");
            var message = await newRow.Locator("td.message").GetAttributeAsync("title");
            Assert.False(string.IsNullOrEmpty(service));
            Assert.False(string.IsNullOrEmpty(message));
            Assert.Equal(service, await newRow.Locator("td").Nth(2).InnerTextAsync());

            using var http = new HttpClient { BaseAddress = host.BaseAddress };
            var query = $"api/logs?service={Uri.EscapeDataString(service!)}&q={Uri.EscapeDataString(message!)}&limit=1000";
            var found = await http.GetFromJsonAsync<LogPageDto>(new Uri(query, UriKind.Relative));
            var match = Assert.Single(found!.Items, i => i.Id == id);
            Assert.Equal(service, match.Service);
            Assert.Equal(message, match.Message);

            lock (problems)
            {
                Assert.True(problems.Count == 0, "the page reported problems:\n" + string.Join('\n', problems));
            }
        }
        finally
        {
            Directory.CreateDirectory(ArtifactsFolder);
            await page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsFolder, "dashboard.png"), FullPage = true });
        }
    }

    [GeneratedRegex("^[1-9][0-9]*$")]
    private static partial Regex MoreThanZero();

    private sealed record LogPageDto(IReadOnlyList<LogItemDto> Items);

    private sealed record LogItemDto(long Id, string Service, string Message);
}
