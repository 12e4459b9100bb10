using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Threading.Channels;
using LogPipeline.Api.Model;
using LogPipeline.Formats;

namespace LogPipeline.Tests.Api;

public abstract class LogTailTests(ApiStore store)
{
    [Collection("api-store-sqlite")]
    public sealed class OnSqlite(SqliteApiStore store) : LogTailTests(store);

    [Collection("api-store-mariadb")]
    public sealed class OnMariaDb(MariaDbApiStore store) : LogTailTests(store);

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static long _offset;

    [Fact]
    public async Task TailDeliversOnlyRowsInsertedAfterConnectingThatMatchTheFilters()
    {
        const string service = "tail-filter";
        await InsertAsync(service, LogLevel.Error, "boom before connecting");

        using var cts = new CancellationTokenSource(Timeout);
        var received = Channel.CreateUnbounded<SseItem<string>>();
        var reader = Task.Run(async () =>
        {
            using var response = await store.Client.GetAsync(
                new Uri($"/api/logs/tail?service={service}&level=error&q=BOOM", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cts.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            await using var stream = await response.Content.ReadAsStreamAsync(cts.Token);
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(cts.Token))
            {
                await received.Writer.WriteAsync(item, cts.Token);
            }
        }, cts.Token);

        // When the stream starts is the server's business: probe with matching rows until one arrives.
        var probes = new List<long>();
        SseItem<string> first;
        while (true)
        {
            probes.Add(await InsertAsync(service, LogLevel.Fatal, "boom probe " + probes.Count));
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
            wait.CancelAfter(TimeSpan.FromMilliseconds(500));
            try
            {
                first = await received.Reader.ReadAsync(wait.Token);
                break;
            }
            catch (OperationCanceledException) when (!cts.IsCancellationRequested)
            {
            }
        }

        var expected = new List<long>
        {
            await InsertAsync(service, LogLevel.Error, "Boom one"),
        };
        await InsertAsync(service, LogLevel.Warn, "boom but only a warning");
        await InsertAsync("tail-other", LogLevel.Error, "boom elsewhere");
        await InsertAsync(service, LogLevel.Error, "quiet error");
        expected.Add(await InsertAsync(service, LogLevel.Fatal, "fatal BOOM two"));

        var items = new List<SseItem<string>> { first };
        while (!items.Any(i => i.EventId == expected[^1].ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            items.Add(await received.Reader.ReadAsync(cts.Token));
        }

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader);

        var logs = items.Select(i => (i.EventType, Item: JsonSerializer.Deserialize<LogItem>(i.Data, JsonSerializerOptions.Web)!, i.EventId)).ToList();
        Assert.All(logs, l =>
        {
            Assert.Equal("log", l.EventType);
            Assert.Contains("\"service\":\"" + service + "\"", items.First(i => i.EventId == l.EventId).Data, StringComparison.Ordinal);
            Assert.Equal(l.Item.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), l.EventId);
            Assert.Equal(service, l.Item.Service);
            Assert.Contains("boom", l.Item.Message, StringComparison.OrdinalIgnoreCase);
        });
        var ids = logs.Select(l => l.Item.Id).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Distinct(), ids);
        Assert.All(ids, id => Assert.True(probes.Contains(id) || expected.Contains(id), $"unexpected row {id}"));
        Assert.Equal(expected, ids.Where(id => !probes.Contains(id)));
        Assert.Equal(probes.SkipWhile(p => p != ids[0]), ids.Where(probes.Contains));
    }

    [Fact]
    public async Task TailResumesAfterTheLastEventId()
    {
        const string service = "tail-resume";
        var before = await InsertAsync(service, LogLevel.Info, "seen already");
        var missed = await InsertAsync(service, LogLevel.Info, "missed while reconnecting");

        using var cts = new CancellationTokenSource(Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/logs/tail?service={service}") { Headers = { { "Last-Event-ID", before.ToString(System.Globalization.CultureInfo.InvariantCulture) } } };
        using var response = await store.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        await using var stream = await response.Content.ReadAsStreamAsync(cts.Token);
        await using var events = SseParser.Create(stream).EnumerateAsync(cts.Token).GetAsyncEnumerator(cts.Token);

        Assert.True(await events.MoveNextAsync());
        Assert.Equal(missed, JsonSerializer.Deserialize<LogItem>(events.Current.Data, JsonSerializerOptions.Web)!.Id);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task TailSendsItsHeadersAtOnceAndAKeepAliveCommentWhileNothingMatches()
    {
        // Clients and proxies give up on a response whose headers do not come, and on a stream that stays silent.
        await using var api = new ApiFactory(store.Store, new Dictionary<string, string?> { ["Api:TailKeepAliveInterval"] = "00:00:00.200" });
        using var client = api.CreateClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        using var response = await client.GetAsync(
            new Uri("/api/logs/tail?service=tail-nothing-matches", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var stream = await response.Content.ReadAsStreamAsync(cts.Token);
        using var reader = new StreamReader(stream);
        for (var comments = 0; comments < 2;)
        {
            var line = await reader.ReadLineAsync(cts.Token);
            Assert.NotNull(line);
            if (line.Length > 0)
            {
                Assert.StartsWith(":", line, StringComparison.Ordinal);
                comments++;
            }
        }

        await cts.CancelAsync();
    }

    private async Task<long> InsertAsync(string service, LogLevel level, string message)
    {
        var offset = Interlocked.Increment(ref _offset);
        await store.ExecuteAsync(
            "INSERT INTO log_events (source_topic, source_partition, source_offset, timestamp_utc, utc_offset_minutes, received_at_utc, service, host, level, message, format, is_late) " +
            "VALUES ('tail-test', 0, @offset, @now, 60, @now, @service, 'probe-host', @level, @message, 0, 0)",
            ("@offset", offset), ("@now", DateTime.UtcNow), ("@service", service), ("@level", (int)level), ("@message", message));
        return await store.Store.ScalarAsync($"SELECT id FROM log_events WHERE source_topic = 'tail-test' AND source_offset = {offset}");
    }
}
