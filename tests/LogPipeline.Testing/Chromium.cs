namespace LogPipeline.Testing;

/// <summary>
/// Debian's Chromium, the browser the page tests drive through Playwright (which cannot download
/// its own browsers here), and the folder their screenshots go to.
/// </summary>
public static class Chromium
{
    public const string Path = "/usr/bin/chromium";

    /// <summary>The flags it works with here (without the networking ones it floods the closed network with refused connections).</summary>
    public static IReadOnlyList<string> Args { get; } =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

    /// <summary>
    /// Where the screenshots go: <c>LOGPIPELINE_TEST_ARTIFACTS</c> if set, else <c>TestResults</c>
    /// beside the test assembly.
    /// </summary>
    public static string ArtifactsFolder =>
        Environment.GetEnvironmentVariable("LOGPIPELINE_TEST_ARTIFACTS") is { Length: > 0 } folder
            ? folder
            : System.IO.Path.Combine(AppContext.BaseDirectory, "TestResults");

    /// <summary>The path of an artifact named <paramref name="name"/>, its folder made.</summary>
    public static string Artifact(string name)
    {
        Directory.CreateDirectory(ArtifactsFolder);
        return System.IO.Path.Combine(ArtifactsFolder, name);
    }

    /// <summary>Throws, saying how to install it, when Chromium is missing.</summary>
    public static void Require()
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"The browser tests drive Debian's Chromium at {Path}, which is missing: run `apt-get install chromium` (as root).");
        }
    }
}
