using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using LogPipeline.Ingest;
using LogPipeline.Ingest.Otlp;
using LogPipeline.Formats;

namespace LogPipeline.Tests.Ingest;

/// <summary>Bad input over real Kestrel: each gets a clear answer, nothing of it reaches Kafka, and the ingest keeps serving.</summary>
[Collection(nameof(IngestFixture))]
public sealed class IngestHostileInputTests(IngestFixture fixture)
{
    [Fact]
    public async Task TruncatedProtobufIsRefusedWithAStatusBody()
    {
        var whole = IngestFixture.Bytes(IngestFixture.Request("truncated", "never stored"));
        using var response = await fixture.PostAsync(whole[..^3], OtlpHttpApi.ProtobufContentType);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(OtlpHttpApi.ProtobufContentType, response.Content.Headers.ContentType?.MediaType);
        var status = LogPipeline.Ingest.Rpc.Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(3, status.Code); // INVALID_ARGUMENT
        Assert.Contains("not a valid OTLP", status.Message, StringComparison.Ordinal);
        await AssertStillServesAsync();
        Assert.Empty(fixture.Read(r => r.Message.Key == "truncated", 1, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task WrongContentTypeIsA415ProblemDetails()
    {
        using var response = await fixture.PostAsync(Encoding.UTF8.GetBytes("hello"), "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("application/x-protobuf", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Theory]
    [InlineData("br", HttpStatusCode.UnsupportedMediaType)] // an encoding OTLP does not name
    [InlineData("gzip", HttpStatusCode.BadRequest)] // gzip named, but the body is not gzip
    public async Task ABodyNotInASupportedContentEncodingIsRefused(string encoding, HttpStatusCode expected)
    {
        using var response = await fixture.PostAsync(IngestFixture.Bytes(IngestFixture.Request("s", "m")), OtlpHttpApi.ProtobufContentType, encoding);
        Assert.Equal(expected, response.StatusCode);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task BodyOverTheLimitIsA413()
    {
        var big = IngestFixture.Request("too-big", Enumerable.Range(0, 40).Select(i => new string('x', 30_000)).ToArray());
        using var response = await fixture.PostAsync(IngestFixture.Bytes(big), OtlpHttpApi.ProtobufContentType);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var status = LogPipeline.Ingest.Rpc.Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Contains($"{IngestFixture.MaxRequestBytes}-byte limit", status.Message, StringComparison.Ordinal);
        await AssertStillServesAsync();
        Assert.Empty(fixture.Read(r => r.Message.Key == "too-big", 1, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task GzipBombIsRefusedAtTheLimitAfterDecompression()
    {
        // 200 MiB of zeros compress to about 200 KiB: under the limit compressed, far over it inflated.
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 200; i++)
            {
                gzip.Write(zeros);
            }
        }

        Assert.True(compressed.Length < IngestFixture.MaxRequestBytes);
        using var response = await fixture.PostAsync(compressed.ToArray(), OtlpHttpApi.ProtobufContentType, "gzip");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task GzippedJsonIsAccepted()
    {
        var json = Encoding.UTF8.GetBytes(new JsonFormatter(JsonFormatter.Settings.Default).Format(IngestFixture.Request("gzip-json", "zipped")));
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(json);
        }

        using var response = await fixture.PostAsync(compressed.ToArray(), "application/json; charset=utf-8", "gzip");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{ }", (await response.Content.ReadAsStringAsync()).Trim());
        Assert.Single(fixture.Read(r => r.Message.Key == "gzip-json", 1, TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData("{\"resourceLogs\": [")]
    [InlineData("[1, 2, 3]")]
    [InlineData("")]
    [InlineData("{\"resourceLogs\": [{\"scopeLogs\": [{\"logRecords\": [{\"traceId\": \"not-hex-not-hex-not-hex-not-hex-\"}]}]}]}")]
    [InlineData("{\"resourceLogs\": {\"scopeLogs\": 1}}")]
    public async Task BadJsonIsA400WithAJsonStatus(string body)
    {
        using var response = await fixture.PostAsync(Encoding.UTF8.GetBytes(body), OtlpHttpApi.JsonContentType);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(OtlpHttpApi.JsonContentType, response.Content.Headers.ContentType?.MediaType);
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(3, status.RootElement.GetProperty("code").GetInt32());
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task InvalidUtf8InJsonIsA400()
    {
        var body = Encoding.UTF8.GetBytes("{\"resourceLogs\": [{\"scopeLogs\": [{\"logRecords\": [{\"body\": {\"stringValue\": \"AB\"}}]}]}]}");
        var at = Array.IndexOf(body, (byte)'A');
        body[at] = 0xC3;
        body[at + 1] = 0x28; // a lead byte followed by ASCII: never valid UTF-8

        using var response = await fixture.PostAsync(body, OtlpHttpApi.JsonContentType);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid UTF-8", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task InvalidUtf8InAProtobufStringIsA400()
    {
        var marker = "utf8-" + Guid.NewGuid().ToString("N");
        var bytes = IngestFixture.Bytes(IngestFixture.Request(marker, "XYZ"));
        var at = bytes.AsSpan().IndexOf("XYZ"u8);
        bytes[at] = 0xFF; // never valid in UTF-8

        using var response = await fixture.PostAsync(bytes, OtlpHttpApi.ProtobufContentType);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var status = LogPipeline.Ingest.Rpc.Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(3, status.Code); // INVALID_ARGUMENT
        Assert.True(status.Message.Contains("String is invalid UTF-8", StringComparison.Ordinal), status.Message);
        await AssertStillServesAsync();
        Assert.Empty(fixture.Read(r => r.Message.Key == marker, 1, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task EmptyProtobufBodyIsAnEmptySuccess()
    {
        using var response = await fixture.PostAsync([], OtlpHttpApi.ProtobufContentType);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = ExportLogsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Null(answer.PartialSuccess);
    }

    [Fact]
    public async Task MissingResourceIsStoredAsUnknownService()
    {
        var marker = "no-resource-" + Guid.NewGuid().ToString("N");
        using var response = await fixture.PostAsync(IngestFixture.Bytes(IngestFixture.Request(null, marker)), OtlpHttpApi.ProtobufContentType);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = Assert.Single(fixture.Read(r => Encoding.UTF8.GetString(r.Message.Value).Contains(marker, StringComparison.Ordinal), 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(OtlpMapper.UnknownService, record.Message.Key);
        Assert.True(LogParser.TryParse(record.Message.Value, new LogParseContext(null, null, DateTimeOffset.UtcNow, TimeSpan.Zero), out var parsed, out _));
        Assert.Equal(OtlpMapper.UnknownHost, parsed.Host);
    }

    [Fact]
    public async Task ATooLargeRecordIsAPartialSuccessAndTheRestIsWritten()
    {
        var service = "partial-" + Guid.NewGuid().ToString("N");
        var request = IngestFixture.Request(service, "small one", new string('y', 70_000), "small two");
        using var response = await fixture.PostAsync(IngestFixture.Bytes(request), OtlpHttpApi.ProtobufContentType);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = ExportLogsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, answer.PartialSuccess.RejectedLogRecords);
        Assert.Contains("65536-byte limit", answer.PartialSuccess.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(2, fixture.Read(r => r.Message.Key == service, 2, TimeSpan.FromSeconds(10)).Count);
    }

    [Fact]
    public async Task GrpcMessageOverTheLimitIsResourceExhausted()
    {
        var big = IngestFixture.Request("grpc-too-big", Enumerable.Range(0, 40).Select(i => new string('x', 30_000)).ToArray());
        var (status, _, _) = await IngestFixture.GrpcExportAsync(fixture.Http, fixture.Ingest.Grpc, IngestFixture.Bytes(big));
        Assert.Equal("8", status);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task TruncatedGrpcMessageIsAnErrorStatusAndTheServiceStillServes()
    {
        var whole = IngestFixture.Bytes(IngestFixture.Request("grpc-truncated", "never stored"));
        var (status, _, _) = await IngestFixture.GrpcExportAsync(fixture.Http, fixture.Ingest.Grpc, whole[..^3]);
        Assert.NotEqual("0", status);

        var (ok, answer, _) = await IngestFixture.GrpcExportAsync(fixture.Http, fixture.Ingest.Grpc, IngestFixture.Bytes(IngestFixture.Request("grpc-ok", "stored")));
        Assert.Equal("0", ok);
        Assert.Null(ExportLogsServiceResponse.Parser.ParseFrom(answer).PartialSuccess);
        Assert.Empty(fixture.Read(r => r.Message.Key == "grpc-truncated", 1, TimeSpan.FromSeconds(1)));
    }

    private async Task AssertStillServesAsync()
    {
        var marker = "alive-" + Guid.NewGuid().ToString("N");
        using var response = await fixture.PostAsync(IngestFixture.Bytes(IngestFixture.Request("still-serving", marker)), OtlpHttpApi.ProtobufContentType);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(fixture.Read(r => Encoding.UTF8.GetString(r.Message.Value).Contains(marker, StringComparison.Ordinal), 1, TimeSpan.FromSeconds(10)));
    }
}
