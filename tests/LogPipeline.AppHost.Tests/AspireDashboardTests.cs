using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace LogPipeline.AppHost.Tests;

/// <summary>
/// The built AppHost started as a user starts it, its Aspire dashboard opened from the login URL it
/// prints, in Debian's Chromium through Playwright: the pipeline's resources, a trace across producer
/// and processor, the processor's metrics and the services' structured logs. Screenshots of each page
/// are saved (<c>LOGPIPELINE_TEST_ARTIFACTS</c>, else TestResults/aspire-dashboard beside the test assembly).
/// </summary>
public sealed partial class AspireDashboardTests(ITestOutputHelper output)
{
    // A Blazor Server page on a busy 2-core machine, fed by a pipeline that has just started: the waits end as soon as the page shows it.
    private static readonly LocatorAssertionsToBeVisibleOptions Patiently = new() { Timeout = 120_000 };

    // What a loaded page shows at once (a resource's row, a trace the search matched); a page that does not, is loaded again.
    private static readonly LocatorAssertionsToBeVisibleOptions Briefly = new() { Timeout = 30_000 };

    private static readonly string[] Services = ["kafka", "mariadb", "migrations", "producer", "processor", "api"];

    private static string ShotsFolder => Path.Combine(Chromium.ArtifactsFolder, "aspire-dashboard");

    [Fact]
    public async Task TheDashboardShowsTheRunningPipelineItsTracesMetricsAndLogs()
    {
        Chromium.Require();
        Directory.CreateDirectory(ShotsFolder);
        output.WriteLine($"screenshots: {ShotsFolder}");
        using var folder = new TempFolder();
        var clock = Stopwatch.StartNew();
        IReadOnlyList<int> tree;
        await using (var host = AppHostProcess.Start(AppHostArguments.Local("MariaDb", folder.Path)))
        {
            var login = await host.LoginUrl.WaitAsync(TimeSpan.FromMinutes(2));
            output.WriteLine($"login URL printed after {clock.Elapsed.TotalSeconds:F1} s: {login.GetLeftPart(UriPartial.Path)}");

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium.Path, Headless = true, Args = Chromium.Args });
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
            var dashboard = new Uri(login.GetLeftPart(UriPartial.Authority));
            try
            {
                // Resources: every resource of the pipeline, running and healthy; the migrations finished.
                // The login URL is printed as the dashboard starts listening, and once (CI on fa5e59d) it
                // answered 404 for a moment after that; each try logs in again and reloads the page.
                await LoadUntilShownAsync(page, login, async () =>
                {
                    foreach (var name in Services)
                    {
                        await Expect(ResourceRow(page, name)).ToBeVisibleAsync(Briefly);
                    }

                    await Expect(ResourceRow(page, "migrations").GetByText("Finished", new() { Exact = true })).ToBeVisibleAsync(Patiently);
                    foreach (var name in Services.Where(n => n != "migrations"))
                    {
                        await Expect(ResourceRow(page, name).GetByText("Running", new() { Exact = true })).ToBeVisibleAsync(Patiently);
                    }

                    await WaitAllHealthyAsync(page);
                    return true;
                });
                output.WriteLine($"all resources running and healthy {clock.Elapsed.TotalSeconds:F1} s after the AppHost started");
                tree = host.ProcessTree();
                output.WriteLine($"process tree while running: {tree.Count} processes, {host.TreeRssMiB()} MiB RSS");
                foreach (var pid in tree)
                {
                    output.WriteLine($"  {pid} {AppHostProcess.CommandLine(pid)[..Math.Min(140, AppHostProcess.CommandLine(pid).Length)]}");
                }

                await ShotAsync(page, "resources.png");

                // Traces: a trace from the producer's publish to the processor's process span, and the store writes.
                // The processor's traces only, named after their root span: publish roots are those that crossed from the producer.
                var pipelineTrace = await SearchTracesAsync(page, new Uri(dashboard, "/traces/resource/processor"), "logs.raw publish", "processor");
                await ShotAsync(page, "traces.png");
                await OpenTraceAsync(page, pipelineTrace);
                await Expect(page.GetByText("logs.raw process").First).ToBeVisibleAsync(Patiently);
                await Expect(page.GetByText("logs.raw publish").First).ToBeVisibleAsync(Patiently);
                await ShotAsync(page, "trace-producer-processor.png");

                await SearchTracesAsync(page, new Uri(dashboard, "/traces/resource/processor"), "store write", "store write");
                await ShotAsync(page, "traces-store-write.png");

                // Metrics: the processor's pipeline instruments.
                await page.GotoAsync(new Uri(dashboard, "/metrics/resource/processor").ToString());
                foreach (var instrument in new[] { "logpipeline.events.stored", "logpipeline.event.stored.latency", "kafka.consumer.lag" })
                {
                    await Expect(page.GetByText(instrument, new() { Exact = true }).First).ToBeVisibleAsync(Patiently);
                }

                await page.Locator("fluent-tree-item[title='logpipeline.events.stored']").First.ClickAsync();
                await Expect(page.GetByText("Events committed to the store.").First).ToBeVisibleAsync(Patiently);
                await ShotAsync(page, "metrics-processor.png");

                // Structured logs: entries from the services.
                await page.GotoAsync(new Uri(dashboard, "/structuredlogs").ToString());
                foreach (var name in new[] { "producer", "processor", "api" })
                {
                    await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = name }).First).ToBeVisibleAsync(Patiently);
                }

                await ShotAsync(page, "structured-logs.png");
            }
            catch
            {
                await ShotAsync(page, "failure.png");
                output.WriteLine(await page.InnerTextAsync("body"));
                output.WriteLine(host.Output);
                throw;
            }

            // SIGTERM, as Ctrl+C: the AppHost stops every resource, then exits.
            var stopping = Stopwatch.StartNew();
            var exitCode = await host.StopAsync();
            output.WriteLine($"AppHost exited with code {exitCode} {stopping.Elapsed.TotalSeconds:F1} s after SIGTERM");
        }

        // Nothing of the tree is left: no mariadbd, no KafkaHost, no service, no orchestrator. The
        // AppHost exits within seconds of SIGTERM; DCP, detached, then stops the resources (tens of
        // seconds on a busy machine), so this waits for that, up to a generous bound.
        var teardown = Stopwatch.StartNew();
        while (tree.Any(IsAlive) && teardown.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(500);
        }

        output.WriteLine($"process tree gone {teardown.Elapsed.TotalSeconds:F1} s after the AppHost exited");
        var left = tree.Where(IsAlive).Select(pid => $"{pid} {AppHostProcess.CommandLine(pid)}").ToList();
        Assert.True(left.Count == 0, "still running after the AppHost stopped: " + string.Join("; ", left));
        Assert.DoesNotContain(Process.GetProcessesByName("mariadbd"), p => AppHostProcess.CommandLine(p.Id).Contains(folder.Path, StringComparison.Ordinal));
    }

    private static ILocator ResourceRow(IPage page, string name) =>
        page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByText(name, new() { Exact = true }) });

    /// <summary>Until no row of the resources grid says a health check is still failing or unknown.</summary>
    private static async Task WaitAllHealthyAsync(IPage page)
    {
        var notHealthy = page.GetByRole(AriaRole.Row).Filter(new() { HasTextRegex = UnhealthyPattern() });
        await Expect(notHealthy).ToHaveCountAsync(0, new() { Timeout = 120_000 });
    }

    /// <summary>
    /// Searches the trace list until a row with <paramref name="rowText"/> shows, each try on a freshly
    /// loaded page (<see cref="LoadUntilShownAsync{T}"/>).
    /// </summary>
    private static Task<ILocator> SearchTracesAsync(IPage page, Uri traces, string search, string rowText) =>
        LoadUntilShownAsync(page, traces, async () =>
        {
            await page.Locator("input[name=traces-search]").FillAsync(search);
            var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = search }).Filter(new() { HasText = rowText }).First;
            await Expect(row).ToBeVisibleAsync(Briefly);
            return row;
        });

    /// <summary>
    /// Loads <paramref name="url"/> and runs <paramref name="shown"/> on it, up to four times: each try
    /// loads the page afresh. Twice on CI the dashboard's Blazor circuit failed on a page ("An unhandled
    /// error has occurred. Reload": on the traces page at 78b14b0, on the resources page at 9bb8c7e) and
    /// the page never updated again although the data was there; once its login answered 404 just after
    /// the URL was printed (fa5e59d). A browser user reloads; so does this.
    /// </summary>
    private static async Task<T> LoadUntilShownAsync<T>(IPage page, Uri url, Func<Task<T>> shown)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var response = await page.GotoAsync(url.ToString());
                if (response is { Ok: false })
                {
                    throw new PlaywrightException($"{url.GetLeftPart(UriPartial.Path)} answered {response.Status}");
                }

                return await shown();
            }
            catch (PlaywrightException) when (attempt < 4)
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }
    }

    /// <summary>
    /// Clicks the trace's name until its detail shows: the live list re-renders as traces arrive, and a
    /// click that lands during a re-render is lost (Blazor navigates without a page load).
    /// </summary>
    private static async Task OpenTraceAsync(IPage page, ILocator trace)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await trace.GetByText("logs.raw publish").First.ClickAsync();
                await Expect(page.GetByText("Total spans").First).ToBeVisibleAsync(new() { Timeout = 10_000 });
                return;
            }
            catch (Exception ex) when (attempt < 10 && ex is PlaywrightException or TimeoutException)
            {
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && File.Exists($"/proc/{pid}/status") && !File.ReadAllText($"/proc/{pid}/status").Contains("State:\tZ", StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private async Task ShotAsync(IPage page, string name)
    {
        var path = Path.Combine(ShotsFolder, name);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        output.WriteLine($"screenshot {path}");
    }

    [GeneratedRegex("Unhealthy|Starting|Waiting|Not started|Runtime unhealthy")]
    private static partial Regex UnhealthyPattern();
}
