using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using LogPipeline.Api.Model;

namespace LogPipeline.Tests.Api;

/// <summary>
/// The poison records of the API store's stream, as the real processor recorded them with their
/// batches: one row per record, with its reason, source position, size, hash and a readable preview.
/// </summary>
public abstract class DeadLettersApiTests(ApiStore store)
{
    [Collection("api-store-sqlite")]
    public sealed class OnSqlite(SqliteApiStore store) : DeadLettersApiTests(store);

    [Collection("api-store-mariadb")]
    public sealed class OnMariaDb(MariaDbApiStore store) : DeadLettersApiTests(store);

    [Fact]
    public async Task EveryPoisonRecordIsListedOnceNewestFirstWithItsReasonSizeAndHash()
    {
        var answer = await store.GetAsync<ItemList<DeadLetterItem>>("/api/deadletters?limit=1000");

        var poison = store.Scenario.PoisonRecords;
        Assert.Equal(poison.Count, answer.Items.Count);
        Assert.Equal(answer.Items.Select(d => d.Id).OrderDescending(), answer.Items.Select(d => d.Id));
        Assert.Equal(answer.Items.Count, answer.Items.Select(d => (d.Topic, d.Partition, d.Offset)).Distinct().Count());
        Assert.All(answer.Items, d => Assert.Equal("logs.raw", d.Topic));

        // Each record is found by its content: same reason, size and SHA-256 as what was sent.
        var expected = poison.Select(p => $"{p.Reason} {p.Value.Length} {Convert.ToHexStringLower(SHA256.HashData(p.Value))}").Order(StringComparer.Ordinal);
        Assert.Equal(expected, answer.Items.Select(d => $"{d.Reason} {d.Size} {d.Sha256}").Order(StringComparer.Ordinal));
        Assert.All(answer.Items, d => Assert.False(string.IsNullOrWhiteSpace(d.Detail), $"{d.Reason} has no detail"));
    }

    [Fact]
    public async Task PreviewsAreReadableTextCutToTheLimit()
    {
        var answer = await store.GetAsync<ItemList<DeadLetterItem>>("/api/deadletters?limit=1000");

        var invalid = answer.Items.First(d => d.Reason == "invalid-utf8");
        Assert.Equal("{\uFFFD(}", invalid.Preview);
        Assert.Equal("", answer.Items.First(d => d.Reason == "empty").Preview);
        var tooLong = answer.Items.First(d => d.Reason == "too-long");
        Assert.True(tooLong.Size > 70_000);
        Assert.Equal(1000, tooLong.Preview.Length);
        Assert.StartsWith("{\"v\":1,\"message\":\"xxx", tooLong.Preview, StringComparison.Ordinal);
        Assert.StartsWith("this is not a log line at all #", answer.Items.First(d => d.Reason == "unknown-format").Preview, StringComparison.Ordinal);
        Assert.Null(answer.Items.First(d => d.Reason == "missing-field").Key);
    }

    [Fact]
    public async Task AReasonFiltersAndBeforePagesBackToTheEnd()
    {
        var tooLong = await store.GetAsync<ItemList<DeadLetterItem>>("/api/deadletters?reason=too-long");
        Assert.Equal(store.Scenario.PoisonRecords.Count(p => p.Reason == "too-long"), tooLong.Items.Count);
        Assert.All(tooLong.Items, d => Assert.Equal("too-long", d.Reason));

        var all = new List<DeadLetterItem>();
        string url = "/api/deadletters?limit=4";
        while (true)
        {
            var page = await store.GetAsync<ItemList<DeadLetterItem>>(url);
            all.AddRange(page.Items);
            if (page.Items.Count < 4)
            {
                break;
            }

            url = $"/api/deadletters?limit=4&before={page.Items[^1].Id}";
        }

        Assert.Equal(store.Scenario.PoisonRecords.Count, all.Count);
        Assert.Equal(all.Count, all.Select(d => d.Id).Distinct().Count());

        var none = await store.GetAsync<ItemList<DeadLetterItem>>($"/api/deadletters?before={all.Min(d => d.Id)}");
        Assert.Empty(none.Items);
        var past = await store.GetAsync<ItemList<DeadLetterItem>>("/api/deadletters?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z");
        Assert.Empty(past.Items);
    }

    [Theory]
    [InlineData("reason=Invalid%20UTF8", "reason")]
    [InlineData("before=0", "before")]
    [InlineData("before=abc", "before")]
    [InlineData("limit=0", "limit")]
    public async Task BadParametersAreProblemsNamingTheField(string query, string field)
    {
        using var response = await store.Client.GetAsync(new Uri($"/api/deadletters?{query}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), problem.RootElement.ToString());
    }
}
