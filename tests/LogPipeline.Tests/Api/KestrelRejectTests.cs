using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LogPipeline.Data;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace LogPipeline.Tests.Api;

/// <summary>
/// What Kestrel rejects on its own, before any middleware (over its 1 MB limits, bytes that are not
/// HTTP, an HTTP version it does not speak), is a ProblemDetails like every other 4xx of the API,
/// while every other answer is what it was, byte for byte. Raw bytes over a socket to the API on
/// real Kestrel: an HTTP client would not send most of these requests.
/// </summary>
public sealed class KestrelRejectTests(KestrelRejectTests.Server server) : IClassFixture<KestrelRejectTests.Server>
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ARequestLineOverOneMegabyteIsA414Problem()
    {
        var request = Ascii($"GET /api/logs?q={new string('x', (1024 * 1024) + 1024)} HTTP/1.1\r\nHost: localhost\r\n\r\n");

        var response = Assert.Single(Parse(await ExchangeAsync(server.Http1Port, request)));

        AssertProblem(response, 414, "The request's URL is too long.");
    }

    [Theory]
    [InlineData(40, 30_000)]
    [InlineData(1_100, 10)]
    public async Task HeadersOverOneMegabyteOrAThousandAreA431Problem(int count, int length)
    {
        var head = new StringBuilder("GET /api/logs HTTP/1.1\r\nHost: localhost\r\n");
        for (var i = 0; i < count; i++)
        {
            head.Append(CultureInfo.InvariantCulture, $"X-Big-{i}: {new string('h', length)}\r\n");
        }

        var response = Assert.Single(Parse(await ExchangeAsync(server.Http1Port, Ascii(head.Append("\r\n").ToString()))));

        AssertProblem(response, 431, "The request's headers are too large.");
    }

    public static TheoryData<string, byte[], int> NotHttp => new()
    {
        // The start of a TLS ClientHello, as a browser sends to an https:// URL of this plain port.
        { "TLS hello", [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, .. new byte[64], 0x00, 0x00], 400 },
        { "text", Ascii("hello\r\n\r\n"), 400 },
        { "garbage", Ascii("garbage\r\n\r\n"), 400 },
        { "a space in the target", Ascii("GET /api /logs HTTP/1.1\r\nHost: localhost\r\n\r\n"), 400 },
        { "a header without a colon", Ascii("GET /api/logs HTTP/1.1\r\nHost localhost\r\n\r\n"), 400 },
        // Kestrel reads what follows the target as the version, and none is one it speaks.
        { "a request line without a version", Ascii("GET /api/logs\r\nHost: localhost\r\n\r\n"), 505 },
    };

    [Theory]
    [MemberData(nameof(NotHttp))]
    public async Task BytesThatAreNotHttpAreAProblem(string what, byte[] request, int status)
    {
        var response = Assert.Single(Parse(await ExchangeAsync(server.Http1Port, request)));

        Assert.True(response.Status == status, $"{what}: {response.Text}");
        AssertProblem(response, status, status == 400 ? "The request is not valid HTTP." : "The HTTP version is not supported.");
    }

    [Fact]
    public async Task AnUnsupportedHttpVersionIsAProblem()
    {
        var response = Assert.Single(Parse(await ExchangeAsync(server.Http1Port, Ascii("GET /api/logs HTTP/3.0\r\nHost: localhost\r\n\r\n"))));

        // 505 HTTP Version Not Supported, as Kestrel judges it.
        AssertProblem(response, 505, "The HTTP version is not supported.");
    }

    [Fact]
    public async Task PipelinedRequestsAreAnsweredAsBeforeAndABadOneAfterThemIsAProblem()
    {
        var logs = "GET /api/logs?from=2025-01-01T00:00:00Z&to=2025-01-01T01:00:00Z HTTP/1.1\r\nHost: localhost\r\n\r\n";
        var services = "GET /api/services HTTP/1.1\r\nHost: localhost\r\n\r\n";
        var longQuery = $"GET /api/logs?q={new string('x', 9 * 1024)} HTTP/1.1\r\nHost: localhost\r\n\r\n";
        var plainLogs = Assert.Single(Parse(await ExchangeAsync(server.Http1Port, Ascii(logs.Replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n", StringComparison.Ordinal)))));
        var plainServices = Assert.Single(Parse(await ExchangeAsync(server.Http1Port, Ascii(services.Replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n", StringComparison.Ordinal)))));
        Assert.Equal(200, plainLogs.Status);
        Assert.Equal(200, plainServices.Status);

        var responses = Parse(await ExchangeAsync(server.Http1Port, Ascii(logs + services + longQuery + "hello\r\n\r\n")));

        Assert.True(responses.Count == 4, string.Join("\n---\n", responses.Select(r => r.Text)));
        // Byte for byte as alone on a connection, but for the Date header (and the Connection: close asked for there).
        Assert.Equal(WithoutDateAndClose(plainLogs.Raw), WithoutDateAndClose(responses[0].Raw));
        Assert.Equal(WithoutDateAndClose(plainServices.Raw), WithoutDateAndClose(responses[1].Raw));
        // RequestLimitsMiddleware's 414 (under Kestrel's raised limit), which keeps the connection.
        Assert.Equal(414, responses[2].Status);
        Assert.Equal("application/problem+json", responses[2].Header("Content-Type")?.Split(';')[0]);
        Assert.NotEqual("close", responses[2].Header("Connection"));
        using (var problem = JsonDocument.Parse(responses[2].Body))
        {
            Assert.Equal("The request's URL is too long.", problem.RootElement.GetProperty("title").GetString());
        }

        AssertProblem(responses[3], 400, "The request is not valid HTTP.");
    }

    [Fact]
    public async Task ARejectLooksLikeTheApisOwnProblems()
    {
        // The API's own 414 (RequestLimitsMiddleware) and Kestrel's, over 1 MB: the same members.
        var own = Assert.Single(Parse(await ExchangeAsync(server.Http1Port, Ascii($"GET /api/logs?q={new string('x', 9 * 1024)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))));
        var kestrels = Assert.Single(Parse(await ExchangeAsync(server.Http1Port, Ascii($"GET /api/logs?q={new string('x', 1024 * 1024)} HTTP/1.1\r\nHost: localhost\r\n\r\n"))));

        AssertProblem(kestrels, 414, "The request's URL is too long.");
        using var ownProblem = JsonDocument.Parse(own.Body);
        using var kestrelsProblem = JsonDocument.Parse(kestrels.Body);
        Assert.Equal(
            ownProblem.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal),
            kestrelsProblem.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(ownProblem.RootElement.GetProperty("type").GetString(), kestrelsProblem.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Http2PassesThroughUntouched()
    {
        // h2c with prior knowledge on an HTTP/2 endpoint: Kestrel's frames, not a status line, come first.
        using (var client = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact })
        {
            using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{server.Http2Port}/api/services"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(HttpVersion.Version20, response.Version);
        }

        // The HTTP/2 preface on an HTTP/1.1 connection: Kestrel's GOAWAY frame (type 7), as it wrote it.
        var preface = Ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        var answer = await ExchangeAsync(server.Http1Port, preface);
        Assert.True(answer.Length >= 9 && answer[3] == 0x07, Convert.ToHexString(answer));
    }

    private static void AssertProblem(RawResponse response, int status, string title)
    {
        Assert.True(response.Status == status, response.Text);
        Assert.True(response.Header("Content-Type") == "application/problem+json", response.Text);
        Assert.True(response.Header("Content-Length") == response.Body.Length.ToString(CultureInfo.InvariantCulture), response.Text);
        Assert.Equal("close", response.Header("Connection"));
        using var problem = JsonDocument.Parse(response.Body);
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("detail").GetString()), response.Text);
        Assert.Equal(title, problem.RootElement.GetProperty("title").GetString());
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static string WithoutDateAndClose(byte[] raw) =>
        Regex.Replace(Encoding.Latin1.GetString(raw), "\r\n(Date: [^\r]*|Connection: close)", "", RegexOptions.None, TimeSpan.FromSeconds(5));

    /// <summary>Sends the bytes and reads until the server closes the connection.</summary>
    private static async Task<byte[]> ExchangeAsync(int port, byte[] request)
    {
        using var cts = new CancellationTokenSource(Hang);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        var stream = client.GetStream();
        // Kestrel answers an oversized request before it has all of it, and may reset the connection on
        // the rest: the write can fail, the answer is what counts.
        var send = Task.Run(async () =>
        {
            try
            {
                await stream.WriteAsync(request, cts.Token);
            }
            catch (IOException)
            {
            }
        });
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cts.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException) when (received.Length > 0)
        {
        }

        await send;
        return received.ToArray();
    }

    /// <summary>The HTTP/1.1 responses in <paramref name="bytes"/>, bodies by Content-Length or chunked.</summary>
    private static List<RawResponse> Parse(byte[] bytes)
    {
        var responses = new List<RawResponse>();
        var at = 0;
        while (at < bytes.Length)
        {
            var end = bytes.AsSpan(at).IndexOf("\r\n\r\n"u8);
            Assert.True(end >= 0, "an incomplete response head: " + Encoding.Latin1.GetString(bytes, at, bytes.Length - at));
            var head = Encoding.Latin1.GetString(bytes, at, end);
            var lines = head.Split("\r\n");
            var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
            var bodyStart = at + end + 4;
            byte[] body;
            int next;
            if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding == "chunked")
            {
                using var decoded = new MemoryStream();
                next = bodyStart;
                while (true)
                {
                    var lineEnd = bytes.AsSpan(next).IndexOf("\r\n"u8);
                    var size = int.Parse(Encoding.ASCII.GetString(bytes, next, lineEnd), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    next += lineEnd + 2;
                    decoded.Write(bytes, next, size);
                    next += size + 2;
                    if (size == 0)
                    {
                        break;
                    }
                }

                body = decoded.ToArray();
            }
            else
            {
                var length = headers.TryGetValue("Content-Length", out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : bytes.Length - bodyStart;
                body = bytes.AsSpan(bodyStart, length).ToArray();
                next = bodyStart + length;
            }

            responses.Add(new RawResponse(int.Parse(lines[0].AsSpan(9, 3), CultureInfo.InvariantCulture), headers, body, bytes[at..next]));
            at = next;
        }

        return responses;
    }

    private sealed record RawResponse(int Status, Dictionary<string, string> Headers, byte[] Body, byte[] Raw)
    {
        public string? Header(string name) => Headers.GetValueOrDefault(name);

        public string Text => Encoding.Latin1.GetString(Raw.Length > 2000 ? Raw[..2000] : Raw);
    }

    /// <summary>The API on real Kestrel over an empty SQLite store: one HTTP/1.1 (and HTTP/2 over TLS, so HTTP/1.1 here) port and one HTTP/2-only port.</summary>
    public sealed class Server : IAsyncLifetime
    {
        private readonly TempFolder _temp = new();
        private ApiFactory? _api;

        public int Http1Port { get; } = LoopbackPort.Free();

        public int Http2Port { get; } = LoopbackPort.Free();

        public async Task InitializeAsync()
        {
            var store = new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(_temp.Path, "rejects.db")}");
            await store.MigrateAsync();
            _api = new ApiFactory(store);
            _api.UseKestrel(o =>
            {
                o.Listen(IPAddress.Loopback, Http1Port);
                o.Listen(IPAddress.Loopback, Http2Port, l => l.Protocols = HttpProtocols.Http2);
            });
            _api.StartServer();
        }

        public async Task DisposeAsync()
        {
            if (_api is not null)
            {
                await _api.DisposeAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            _temp.Dispose();
        }
    }
}
