extern alias api;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LogPipeline.Tests.Api;

/// <summary>Bad input, unknown routes, the API key (and the dashboard files it leaves open) and the OpenAPI document.</summary>
public abstract class ApiRulesTests(ApiStore store)
{
    [Collection("api-store-sqlite")]
    public sealed class OnSqlite(SqliteApiStore store) : ApiRulesTests(store);

    [Collection("api-store-mariadb")]
    public sealed class OnMariaDb(MariaDbApiStore store) : ApiRulesTests(store);

    [Theory]
    [InlineData("/api/logs?from=yesterday", "from")]
    [InlineData("/api/logs?to=2025-13-45T00:00:00Z", "to")]
    [InlineData("/api/logs?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z", "from")]
    [InlineData("/api/logs?from=2025-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", "from")]
    [InlineData("/api/logs?from=2025-01-01T00:00:00Z&to=2025-03-01T00:00:00Z", "to")]
    [InlineData("/api/logs?level=verbose", "level")]
    [InlineData("/api/logs?limit=0", "limit")]
    [InlineData("/api/logs?limit=1001", "limit")]
    [InlineData("/api/logs?limit=ten", "limit")]
    [InlineData("/api/logs?cursor=not-a-cursor", "cursor")]
    [InlineData("/api/logs?cursor=AQAAAAAAAAAAAAAAAAAAAAEAAAAA", "cursor")]
    [InlineData("/api/logs?traceId=xyz", "traceId")]
    [InlineData("/api/logs?traceId=0123456789abcdef0123456789abcdef0", "traceId")]
    [InlineData("/api/logs?traceId=0123456789abcdef0123456789abcdeg", "traceId")]
    [InlineData("/api/logs?fingerprint=xyz", "fingerprint")]
    [InlineData("/api/logs?fingerprint=0123456789abcdef0", "fingerprint")]
    [InlineData("/api/logs?fingerprint=-123456789abcdef", "fingerprint")]
    [InlineData("/api/logs?host=" + LongHost, "host")]
    [InlineData("/api/logs/count?traceId=xyz", "traceId")]
    [InlineData("/api/logs/count?fingerprint=0x23456789abcdef", "fingerprint")]
    [InlineData("/api/logs/count?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z", "from")]
    [InlineData("/api/logs/count?from=2025-01-01T00:00:00Z&to=2025-03-01T00:00:00Z", "to")]
    [InlineData("/api/logs/count?level=loud", "level")]
    [InlineData("/api/logs/tail?level=loud", "level")]
    [InlineData("/api/logs/tail?traceId=1", "traceId")]
    [InlineData("/api/stats/volume?bucket=2m", "bucket")]
    [InlineData("/api/stats/volume?groupBy=host", "groupBy")]
    [InlineData("/api/stats/volume?bucket=1m&from=2025-01-01T00:00:00Z&to=2025-01-03T00:00:00Z", "bucket")]
    [InlineData("/api/stats/errors?bucket=5m&from=2025-01-01T00:00:00Z&to=2025-01-09T00:00:00Z", "bucket")]
    [InlineData("/api/stats/latency?bucket=1h&from=2025-01-01T00:00:00Z&to=2025-02-09T00:00:00Z", "to")]
    [InlineData("/api/stats/latency?from=2025-01-01T25:00:00Z", "from")]
    [InlineData("/api/errors/top?limit=-1", "limit")]
    [InlineData("/api/errors/top?to=12", "to")]
    [InlineData("/api/anomalies?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z", "from")]
    [InlineData("/api/anomalies?limit=100000000000", "limit")]
    [InlineData("/api/logs?cursor=a", "cursor")]
    [InlineData("/api/logs?cursor=!!!!", "cursor")]
    [InlineData("/api/logs?cursor=AAAA====", "cursor")]
    [InlineData("/api/logs?to=0001-01-01T00:00:00Z", "to")]
    [InlineData("/api/anomalies?to=0001-01-01T00:00:00Z", "to")]
    [InlineData("/api/stats/volume?to=0001-01-01T00:00:00Z", "to")]
    [InlineData("/api/stats/errors?to=0001-01-01T00:00:00Z", "to")]
    [InlineData("/api/stats/latency?to=0001-01-01T00:00:00Z", "to")]
    [InlineData("/api/errors/top?to=0001-01-01T00:00:00Z", "to")]
    [InlineData("/api/stats/volume?from=9999-12-31T23:00:00Z&to=9999-12-31T23:59:59Z", "to")]
    [InlineData("/api/stats/latency?from=9999-12-31T23:00:00Z&to=9999-12-31T23:59:59Z", "to")]
    [InlineData("/api/stats/errors?bucket=1h&from=9999-12-31T22:00:00Z&to=9999-12-31T23:00:00Z", "to")]
    public async Task BadInputIsAValidationProblemNamingTheField(string url, string field)
    {
        using var response = await store.Client.GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        var messages = problem.RootElement.GetProperty("errors").GetProperty(field);
        Assert.NotEqual(0, messages.GetArrayLength());
        Assert.Contains(field, messages[0].GetString(), StringComparison.Ordinal);
    }

    // 256 characters, one over the column.
    private const string LongHost = "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh";

    [Fact]
    public async Task ATamperedCursorIsRejected()
    {
        var page = await store.GetAsync<LogPipeline.Api.Model.LogPage>($"/api/logs?{store.AllRange}&limit=5");
        var cursor = page.NextCursor!;
        var tampered = cursor[..10] + (cursor[10] == 'A' ? 'B' : 'A') + cursor[11..];

        using var ok = await store.Client.GetAsync(new Uri($"/api/logs?{store.AllRange}&limit=5&cursor={cursor}", UriKind.Relative));
        using var bad = await store.Client.GetAsync(new Uri($"/api/logs?{store.AllRange}&limit=5&cursor={tampered}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Theory]
    [InlineData("/api/nothing-here")]
    [InlineData("/api/logs/nothing")]
    public async Task UnknownApiRoutesAreNotFoundProblems(string url)
    {
        using var response = await store.Client.GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task JsonIsCamelCaseWithNullsWritten()
    {
        var body = await store.Client.GetStringAsync(new Uri($"/api/logs?{store.AllRange}&limit=1000", UriKind.Relative));

        Assert.StartsWith("{\"items\":[{\"id\":", body, StringComparison.Ordinal);
        Assert.Contains("\"nextCursor\":", body, StringComparison.Ordinal);
        Assert.Contains("\"http\":null", body, StringComparison.Ordinal);
        Assert.Contains("\"durationMs\":", body, StringComparison.Ordinal);
        Assert.Contains("\"isLate\":false", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheOpenApiDocumentListsEveryRoute()
    {
        var document = await store.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Equal(
            new[] { "/api/anomalies", "/api/deadletters", "/api/errors/top", "/api/logs", "/api/logs/count", "/api/logs/tail", "/api/services", "/api/stats/errors", "/api/stats/latency", "/api/stats/volume" },
            paths.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("/api/logs", "from,to,service,level,q,traceId,host,fingerprint,limit,cursor")]
    [InlineData("/api/logs/count", "from,to,service,level,q,traceId,host,fingerprint")]
    [InlineData("/api/logs/tail", "service,level,q,traceId")]
    [InlineData("/api/stats/volume", "from,to,bucket,groupBy,service")]
    [InlineData("/api/stats/errors", "from,to,bucket,service")]
    [InlineData("/api/stats/latency", "from,to,bucket,service")]
    [InlineData("/api/errors/top", "from,to,service,limit")]
    [InlineData("/api/anomalies", "from,to,service,limit")]
    [InlineData("/api/deadletters", "from,to,reason,before,limit")]
    public async Task TheOpenApiDocumentDescribesEveryParameterAndAnswerAsTheRouteIsCalled(string path, string parameters)
    {
        var document = await store.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var operation = document.GetProperty("paths").GetProperty(path).GetProperty("get");

        var described = operation.GetProperty("parameters").EnumerateArray()
            .Where(p => p.GetProperty("in").GetString() == "query")
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.TryGetProperty("description", out var d) ? d.GetString() : null);
        Assert.Equal(parameters.Split(','), described.Keys);
        Assert.All(described, p => Assert.False(string.IsNullOrWhiteSpace(p.Value), $"{path} {p.Key} has no description"));

        var responses = operation.GetProperty("responses");
        Assert.Equal(new[] { "200", "400" }, responses.EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal));
        foreach (var response in responses.EnumerateObject())
        {
            var description = response.Value.GetProperty("description").GetString();
            Assert.True(description is { Length: > 20 }, $"{path} {response.Name}: \"{description}\"");
        }

        Assert.Contains("ValidationProblem", responses.GetProperty("400").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAKeyConfiguredApiRequestsNeedIt()
    {
        await using var api = new ApiFactory(store.Store, new Dictionary<string, string?> { ["Api:Key"] = "s3cret-key" });
        using var client = api.CreateClient();

        foreach (var url in new[] { "/api/services", "/openapi/v1.json", "/api/nothing-here" })
        {
            using var missing = await client.GetAsync(new Uri(url, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
            Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

            using var wrong = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "X-Api-Key", "s3cret-kez" } } };
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(wrong)).StatusCode);
        }

        using var header = new HttpRequestMessage(HttpMethod.Get, "/api/services") { Headers = { { "X-Api-Key", "s3cret-key" } } };
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(header)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/services?apiKey=s3cret-key", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/openapi/v1.json?apiKey=s3cret-key", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/alive", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task WithAKeyConfiguredTheDashboardPageAndItsFilesStillLoad()
    {
        // The page holds no data and asks for the key when its API calls are refused, so it must load without one.
        await using var api = new ApiFactory(store.Store, new Dictionary<string, string?> { ["Api:Key"] = "s3cret-key" });
        using var client = api.CreateClient();

        foreach (var (url, type) in new[]
                 {
                     ("/", "text/html"), ("/app.js", "text/javascript"), ("/common.js", "text/javascript"), ("/search.js", "text/javascript"), ("/app.css", "text/css"),
                     ("/lib/uplot/uPlot.esm.js", "text/javascript"), ("/lib/uplot/uPlot.min.css", "text/css"),
                 })
        {
            using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        }

        var page = await client.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("<script type=\"module\" src=\"app.js\">", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("10000001")]
    public void ACountCapOutOfRangeIsNamedAtStart(string cap)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Api:CountCap"] = cap,
            ["Store:Provider"] = store.Store.Provider.ToString(),
            ["ConnectionStrings:logsdb"] = store.Store.ConnectionString,
        });
        api::LogPipeline.Api.Extensions.AddApi(builder);
        using var host = builder.Build();

        var failure = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<api::LogPipeline.Api.Infrastructure.ApiOptions>>().Value);
        Assert.Equal($"Api:CountCap must be from 1 to 10000000; got {cap}.", Assert.Single(failure.Failures));
    }

    [Fact]
    public async Task WithoutAKeyConfiguredTheApiIsOpen()
    {
        Assert.Equal(HttpStatusCode.OK, (await store.Client.GetAsync(new Uri("/api/services", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await store.Client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
    }
}
