using System.Collections.Concurrent;
using System.Net;

namespace LogPipeline.Tests.Api;

/// <summary>
/// The API as a hostile client meets it: over real Kestrel (the in-memory test server has no request
/// limits and decodes nothing the way Kestrel does), every route and parameter with values meant to
/// break parsing, the store's SQL or the server's limits. Every answer must come, be below 500, and
/// every 4xx must be a ProblemDetails.
/// </summary>
public abstract class ApiHostileQueryTests(ApiStore store)
{
    [Collection("api-store-sqlite")]
    public sealed class OnSqlite(SqliteApiStore store) : ApiHostileQueryTests(store);

    [Collection("api-store-mariadb")]
    public sealed class OnMariaDb(MariaDbApiStore store) : ApiHostileQueryTests(store);

    /// <summary>How long an answer (for the tail: its headers and first line) may take before it counts as a hang.</summary>
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(10);

    private static readonly (string Route, string[] Parameters)[] Routes =
    [
        ("/api/logs", ["from", "to", "service", "level", "q", "traceId", "host", "fingerprint", "limit", "cursor"]),
        ("/api/logs/count", ["from", "to", "service", "level", "q", "traceId", "host", "fingerprint"]),
        ("/api/logs/tail", ["service", "level", "q", "traceId"]),
        ("/api/stats/volume", ["from", "to", "bucket", "groupBy", "service"]),
        ("/api/stats/errors", ["from", "to", "bucket", "service"]),
        ("/api/stats/latency", ["from", "to", "bucket", "service"]),
        ("/api/errors/top", ["from", "to", "service", "limit"]),
        ("/api/anomalies", ["from", "to", "service", "limit"]),
        ("/api/services", []),
        ("/api/deadletters", ["from", "to", "reason", "before", "limit"]),
        ("/openapi/v1.json", []),
    ];

    /// <summary>Values as they go on the wire: percent-encoded where a client would encode them, and where it should not.</summary>
    private static readonly string[] Values =
    [
        "", "%20", "0", "-1", "2147483648", "-9223372036854775809", "99999999999999999999999999", "1e308", "NaN", "-Infinity", "0x10", "1.5",
        "0001-01-01T00:00:00Z", "0001-01-01T00:00:00%2B01:00", "0001-01-01T00:30:00Z", "9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59-01:00",
        "0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "2025-02-30T00:00:00Z", "-0001-01-01", "1970-01-01T00:00:00Z", "9999-12-31", "0001-01-01",
        "%C3%28", "%FF", "%ED%A0%80", "%F4%90%80%80", "%C0%AF", "%", "%G1", "%00", "a%00b", "%0D%0A",
        "%25", "_", "%5C", "%27", "%22", "%25_%5C%27%22", "%27%20OR%201%3D1--", "*", "%5B%5D", "%3Cscript%3E",
        "%F0%9F%94%A5", "%E2%80%AE", "%EF%BF%BF", new string('x', 1_000), new string('%', 1_000), string.Concat(Enumerable.Repeat("%25_", 2_000)),
        new string('9', 7_000), new string('x', 10_000), string.Concat(Enumerable.Repeat("%F0%9F%94%A5", 1_000)),
    ];

    private static readonly string[] LastEventIds = ["", "0", "-1", "99999999999999999999", "9223372036854775807", "abc", "1.5", " 1"];

    [Fact]
    public async Task EveryRouteAnswersHostileQueriesWithoutAServerErrorOrAHang()
    {
        await using var api = KestrelApi();
        using var client = api.CreateClient();

        var requests = new List<(string Url, string? LastEventId)>();
        foreach (var (route, parameters) in Routes)
        {
            foreach (var value in Values)
            {
                requests.AddRange(parameters.Select(p => ($"{route}?{p}={value}", (string?)null)));
                requests.Add(($"{route}?unknown={value}&{value}={value}", null));
            }

            // Each parameter twice, a valid value with a hostile one; empty and odd pairs.
            requests.AddRange(parameters.Select(p => ($"{route}?{p}=1&{p}=%FF&{p}=", (string?)null)));
            requests.Add(($"{route}?&&=&==&%00=%00&{string.Join('&', parameters.Select(p => p + "=" + p))}", null));
        }

        requests.AddRange(LastEventIds.Select(id => ("/api/logs/tail?q=no-such-message", (string?)id)));

        var failures = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (request, _) =>
        {
            if (await ProbeAsync(client, request.Url, request.LastEventId) is { } failure)
            {
                failures.Add(failure);
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {requests.Count} requests failed:\n" + string.Join('\n', failures.Order(StringComparer.Ordinal).Take(40)));
    }

    [Theory]
    [InlineData(10_000, 0, 0, HttpStatusCode.RequestUriTooLong)]
    [InlineData(200_000, 0, 0, HttpStatusCode.RequestUriTooLong)]
    [InlineData(0, 40_000, 1, HttpStatusCode.RequestHeaderFieldsTooLarge)]
    [InlineData(0, 10, 150, HttpStatusCode.RequestHeaderFieldsTooLarge)]
    public async Task AnOversizedRequestIsAProblem(int queryLength, int headerLength, int headerCount, HttpStatusCode expected)
    {
        await using var api = KestrelApi();
        using var client = api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/logs?q={new string('x', queryLength)}", UriKind.Relative));
        for (var i = 0; i < headerCount; i++)
        {
            request.Headers.Add($"X-Big-{i}", new string('h', headerLength));
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\"status\":{(int)expected}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST", "/api/logs", HttpStatusCode.MethodNotAllowed)]
    [InlineData("DELETE", "/api/services", HttpStatusCode.MethodNotAllowed)]
    [InlineData("PUT", "/openapi/v1.json", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "/api/logs/tail/x", HttpStatusCode.NotFound)]
    public async Task StatusesWithoutABodyOfTheirOwnAreProblems(string method, string url, HttpStatusCode expected)
    {
        await using var api = KestrelApi();
        using var client = api.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(url, UriKind.Relative))
        {
            Content = method == "GET" ? null : new StringContent("{\"a\":1}", System.Text.Encoding.UTF8, "application/json"),
        };

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private ApiFactory KestrelApi()
    {
        var api = new ApiFactory(store.Store, new Dictionary<string, string?> { ["Api:TailKeepAliveInterval"] = "00:00:00.100" });
        // Not UseKestrel(0): it sets the server's addresses after Program has started it, a race that throws.
        api.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        api.StartServer();
        return api;
    }

    private static async Task<string?> ProbeAsync(HttpClient client, string url, string? lastEventId)
    {
        using var cts = new CancellationTokenSource(Hang);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, UriKind.Relative));
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        var shown = url.Length > 120 ? url[..120] + $"...({url.Length} chars)" : url;
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            var status = (int)response.StatusCode;
            var type = response.Content.Headers.ContentType?.MediaType;
            if (response.StatusCode == HttpStatusCode.OK && type == "text/event-stream")
            {
                // A short read: the first line (an event or a keep-alive comment) must come.
                await using var stream = await response.Content.ReadAsStreamAsync(cts.Token);
                return await stream.ReadAsync(new byte[1], cts.Token) == 1 ? null : $"{shown}: the event stream ended";
            }

            var body = await response.Content.ReadAsStringAsync(cts.Token);
            if (status >= 500 || (status >= 400 && type != "application/problem+json"))
            {
                return $"{shown}: {status} {type} {(body.Length > 300 ? body[..300] : body)}";
            }

            return null;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return $"{shown}: no answer within {Hang.TotalSeconds} s";
        }
        catch (HttpRequestException e)
        {
            return $"{shown}: {e.Message}";
        }
    }
}
