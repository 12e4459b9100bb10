using Microsoft.Playwright;

namespace LogPipeline.Tests.Infrastructure;

/// <summary>
/// Chromium with one page on the host, recording what a person would notice: script errors,
/// failed responses, and requests leaving the host (the page must need nothing but the API).
/// </summary>
internal sealed class BrowserPage : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly List<string> _problems = [];

    private BrowserPage(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
    }

    public IPage Page { get; }

    /// <summary>A timeout as Playwright's options take it.</summary>
    public static float Milliseconds(TimeSpan timeout) => (float)timeout.TotalMilliseconds;

    public static async Task<BrowserPage> OpenAsync(StandaloneProcess host, bool allowUnauthorized = false, int width = 1280)
    {
        var playwright = await Playwright.CreateAsync();
        IBrowser? browser = null;
        try
        {
            browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium.Path, Headless = true, Args = Chromium.Args });
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = 900 } });
            var session = new BrowserPage(playwright, browser, page);
            session.Watch(host.BaseAddress.GetLeftPart(UriPartial.Authority), allowUnauthorized);
            return session;
        }
        catch
        {
            if (browser is not null)
            {
                await browser.DisposeAsync();
            }

            playwright.Dispose();
            throw;
        }
    }

    public void AssertNoProblems()
    {
        lock (_problems)
        {
            Assert.True(_problems.Count == 0, "the page reported problems:\n" + string.Join('\n', _problems));
        }
    }

    public async Task ScreenshotAsync(string fileName)
    {
        await Page.ScreenshotAsync(new() { Path = Chromium.Artifact(fileName), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private void Watch(string origin, bool allowUnauthorized)
    {
        // Chromium logs every refused response as a console error too ("... status of 401 ..." for
        // fetch, "... response has a status 401 ..." for EventSource).
        Page.Console += (_, m) =>
        {
            if (m.Type == "error" && !(allowUnauthorized && m.Text.Contains("401", StringComparison.Ordinal)))
            {
                Add($"console error: {m.Text}");
            }
        };
        Page.PageError += (_, e) => Add($"page error: {e}");
        Page.Request += (_, r) =>
        {
            if (!r.Url.StartsWith(origin, StringComparison.Ordinal))
            {
                Add($"request outside the host: {r.Url}");
            }
        };
        Page.Response += (_, r) =>
        {
            if (r.Status >= 400 && !(allowUnauthorized && r.Status == 401))
            {
                Add($"HTTP {r.Status} for {r.Url}");
            }
        };
    }

    private void Add(string problem)
    {
        lock (_problems)
        {
            _problems.Add(problem);
        }
    }
}
