using System.Net;
using System.Text.Json;
using LogPipeline.Data;
using LogPipeline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LogPipeline.Tests.Api;

/// <summary>The store gone while the API serves: every route says so with a 503 ProblemDetails and answers again once it is back; a store error that is a bug is a 500 ProblemDetails.</summary>
[Collection("mariadb")]
public sealed class StoreOutageApiTests(MariaDbFixture mariaDb)
{
    [Fact]
    public async Task AStoppedStoreIsA503ProblemWithRetryAfterOnEveryRouteAndTheApiAnswersAgainOnceItIsBack()
    {
        var store = new StoreQueries(StoreProvider.MariaDb, mariaDb.CreateDatabase("apioutage"));
        await store.MigrateAsync();
        await using var api = new ApiFactory(store);
        using var client = api.CreateClient();
        var now = DateTimeOffset.UtcNow;
        var range = ApiStore.Range(now.AddHours(-1), now);
        string[] routes =
        [
            "/api/services", $"/api/logs?{range}", $"/api/logs/count?{range}&q=timeout", $"/api/stats/volume?{range}",
            $"/api/stats/latency?{range}", $"/api/stats/errors?{range}", $"/api/errors/top?{range}", $"/api/anomalies?{range}", "/api/deadletters",
        ];
        foreach (var route in routes)
        {
            using var ok = await client.GetAsync(route);
            Assert.True(ok.StatusCode == HttpStatusCode.OK, $"{route}: {ok.StatusCode} {await ok.Content.ReadAsStringAsync()}");
        }

        mariaDb.Stop();
        try
        {
            foreach (var route in routes)
            {
                using var down = await client.GetAsync(route);
                var body = await down.Content.ReadAsStringAsync();
                Assert.True(down.StatusCode == HttpStatusCode.ServiceUnavailable, $"{route}: {down.StatusCode} {body}");
                Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
                Assert.Equal(TimeSpan.FromSeconds(5), down.Headers.RetryAfter?.Delta);
                using var problem = JsonDocument.Parse(body);
                Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
                Assert.Equal("The log store is not reachable.", problem.RootElement.GetProperty("title").GetString());
            }
        }
        finally
        {
            mariaDb.Start();
        }

        foreach (var route in routes)
        {
            using var back = await client.GetAsync(route);
            Assert.True(back.StatusCode == HttpStatusCode.OK, $"{route} after the restart: {back.StatusCode} {await back.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task AnOutageIsLoggedOnceNotPerRequestAndItsEndOnce()
    {
        var store = new StoreQueries(StoreProvider.MariaDb, mariaDb.CreateDatabase("apioutagelog"));
        await store.MigrateAsync();
        var capture = new CapturingLoggerProvider();
        await using var api = new ApiFactory(store).WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(capture)));
        using var client = api.CreateClient();
        var now = DateTimeOffset.UtcNow;
        var range = ApiStore.Range(now.AddHours(-1), now);
        string[] routes = ["/api/services", $"/api/logs?{range}", $"/api/stats/volume?{range}", $"/api/errors/top?{range}", "/api/deadletters"];
        foreach (var route in routes)
        {
            using var ok = await client.GetAsync(route);
            Assert.True(ok.StatusCode == HttpStatusCode.OK, $"{route}: {ok.StatusCode} {await ok.Content.ReadAsStringAsync()}");
        }

        const int Rounds = 6;
        var beforeOutage = capture.Logs.Count;
        mariaDb.Stop();
        int duringOutage;
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                foreach (var route in routes)
                {
                    using var down = await client.GetAsync(route);
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
                }
            }

            duringOutage = capture.Logs.Count;
        }
        finally
        {
            mariaDb.Start();
        }

        foreach (var route in routes)
        {
            using var back = await client.GetAsync(route);
            Assert.True(back.StatusCode == HttpStatusCode.OK, $"{route} after the restart: {back.StatusCode} {await back.Content.ReadAsStringAsync()}");
        }

        var outage = capture.Logs.Skip(beforeOutage).Take(duringOutage - beforeOutage).ToList();
        var after = capture.Logs.Skip(duringOutage).ToList();
        string Show(IEnumerable<CapturedLog> logs) => string.Join("\n", logs.Select(l => $"{l.Level} {l.Category}: {l.Message}"));

        // One warning for the whole outage (Rounds x routes requests answered 503), from the API, naming the store.
        var warnings = outage.Where(l => l.Level >= LogLevel.Warning).ToList();
        Assert.True(warnings.Count == 1, $"{warnings.Count} warnings or worse during the outage:\n{Show(warnings)}");
        Assert.Contains("log store", warnings[0].Message, StringComparison.Ordinal);
        // EF Core's own logs of each failed command or connection: not one per request.
        var efCore = outage.Where(l => l.Category.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) && l.Level >= LogLevel.Information).ToList();
        Assert.True(efCore.Count == 0, Show(efCore));
        // And once, when the first request after the restart finds the store again, with the count.
        var recovered = after.Where(l => l.Category == warnings[0].Category && l.Level == LogLevel.Information).ToList();
        Assert.True(recovered.Count == 1, Show(after));
        Assert.Contains($"{Rounds * routes.Length} requests", recovered[0].Message, StringComparison.Ordinal);
        Assert.DoesNotContain(after, l => l.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task AStoreErrorThatIsNotAnOutageIsA500ProblemWithoutItsDetails()
    {
        // A schema the API does not expect (here a table gone) is a bug, not an outage: 500, and the
        // ProblemDetails does not hand the SQL error to the caller.
        using var temp = new TempFolder();
        var store = new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(temp.Path, "broken.db")}");
        await store.MigrateAsync();
        var capture = new CapturingLoggerProvider();
        await using var api = new ApiFactory(store).WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(capture)));
        using var client = api.CreateClient();
        var now = DateTimeOffset.UtcNow;
        var route = $"/api/logs?{ApiStore.Range(now.AddHours(-1), now)}";
        using (var ok = await client.GetAsync(route))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await store.ScalarAsync("DROP TABLE log_events");
        using var broken = await client.GetAsync(route);
        var body = await broken.Content.ReadAsStringAsync();
        Assert.True(broken.StatusCode == HttpStatusCode.InternalServerError, $"{broken.StatusCode} {body}");
        Assert.Equal("application/problem+json", broken.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(500, problem.RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain("log_events", body, StringComparison.Ordinal);
        // But the log has it, as an error, with the SQL that failed: only an outage's failures are quieted.
        var errors = capture.Logs.Where(l => l.Level >= LogLevel.Error).ToList();
        Assert.Contains(errors, l => l.Category.EndsWith(".StoreCommandInterceptor", StringComparison.Ordinal) && l.Message.Contains("log_events", StringComparison.Ordinal)
            && l.Everything.Contains("no such table", StringComparison.Ordinal));
        Assert.Contains(errors, l => l.Category == "Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware");
    }
}
