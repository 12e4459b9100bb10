using System.Net;
using System.Net.ServerSentEvents;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LogPipeline.Tests.Api;

/// <summary>
/// The API key in a query string (the live tail's <c>?apiKey=</c>, since a browser's EventSource
/// cannot send headers) stays out of the logs, and so out of anything that exports them.
/// </summary>
public abstract class ApiLoggingTests(ApiStore store)
{
    [Collection("api-store-sqlite")]
    public sealed class OnSqlite(SqliteApiStore store) : ApiLoggingTests(store);

    [Collection("api-store-mariadb")]
    public sealed class OnMariaDb(MariaDbApiStore store) : ApiLoggingTests(store);

    private const string Key = "secret-value-7f3a9c";
    private const string WrongKey = "wrong-secret-value-c41e";

    [Fact]
    public async Task TheApiKeyInTheQueryStringIsNotLogged()
    {
        // Every other category at Trace: none of them may write the query string either.
        var logs = await LogsOfRequestsWithTheKeyInTheQueryAsync(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace" });

        // The requests' own entries were captured (the hosting scope names the path, without the query).
        Assert.Contains(logs, l => l.Everything.Contains("RequestPath=/api/logs/tail", StringComparison.Ordinal));
        var leaks = logs.Where(l => l.Everything.Contains(Key, StringComparison.Ordinal) || l.Everything.Contains(WrongKey, StringComparison.Ordinal)).ToList();
        Assert.True(leaks.Count == 0, "logged with the key:\n" + string.Join("\n", leaks.Select(l => $"{l.Level} {l.Category}: {l.Everything}")));
    }

    [Fact]
    public async Task RequestLinesAreOnlyOffByDefaultAndConfigurationCanTurnThemOn()
    {
        // Which is also what the test above would catch: the request line carries the query string.
        var logs = await LogsOfRequestsWithTheKeyInTheQueryAsync(new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information" });

        Assert.Contains(logs, l => l.Category == "Microsoft.AspNetCore.Hosting.Diagnostics" && l.Message.Contains("?apiKey=" + Key, StringComparison.Ordinal));
    }

    private async Task<IReadOnlyList<CapturedLog>> LogsOfRequestsWithTheKeyInTheQueryAsync(IReadOnlyDictionary<string, string?> logging)
    {
        var capture = new CapturingLoggerProvider();
        var settings = new Dictionary<string, string?>(logging) { ["Api:Key"] = Key };
        await using (var api = new ApiFactory(store.Store, settings)
            .WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(capture))))
        {
            using var client = api.CreateClient();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

            // The live tail as the dashboard opens it; from Last-Event-ID 0 it sends stored rows at once.
            using (var request = new HttpRequestMessage(HttpMethod.Get, $"/api/logs/tail?apiKey={Key}") { Headers = { { "Last-Event-ID", "0" } } })
            using (var tail = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token))
            {
                Assert.Equal(HttpStatusCode.OK, tail.StatusCode);
                await using var stream = await tail.Content.ReadAsStreamAsync(cts.Token);
                await using var events = SseParser.Create(stream).EnumerateAsync(cts.Token).GetAsyncEnumerator(cts.Token);
                Assert.True(await events.MoveNextAsync());
            }

            using (var ok = await client.GetAsync(new Uri($"/api/services?apiKey={Key}", UriKind.Relative), cts.Token))
            {
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            }

            using (var refused = await client.GetAsync(new Uri($"/api/services?apiKey={WrongKey}", UriKind.Relative), cts.Token))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }
        }

        // After the host stopped: the tail's request has ended and written whatever it writes at the end.
        return capture.Logs;
    }
}
