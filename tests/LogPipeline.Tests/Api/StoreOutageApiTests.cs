using System.Net;
using System.Text.Json;
using LogPipeline.Data;
using LogPipeline.Tests.Infrastructure;

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
    public async Task AStoreErrorThatIsNotAnOutageIsA500ProblemWithoutItsDetails()
    {
        // A schema the API does not expect (here a table gone) is a bug, not an outage: 500, and the
        // ProblemDetails does not hand the SQL error to the caller.
        using var temp = new TempFolder();
        var store = new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(temp.Path, "broken.db")}");
        await store.MigrateAsync();
        await using var api = new ApiFactory(store);
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
    }
}
