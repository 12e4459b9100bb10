using System.Text;
using Google.Protobuf;
using LogPipeline.Ingest;
using LogPipeline.Ingest.Otlp;
using LogPipeline.Formats;
using LogLevel = LogPipeline.Formats.LogLevel;

namespace LogPipeline.Tests.Ingest;

public sealed class OtlpMapperTests
{
    private static readonly DateTimeOffset Received = new(2026, 12, 5, 8, 0, 0, TimeSpan.Zero);
    private static readonly byte[] TraceId = Convert.FromHexString("5B8EFFF798038103D269B633813FC60C");
    private static readonly byte[] SpanId = Convert.FromHexString("EEE19B7EC3C1B174");

    [Fact]
    public void MapsEveryFieldToTheWireContractThatTheProcessorParses()
    {
        var resource = Resource(("service.name", "checkout"), ("host.name", "web-7"), ("deployment.environment", "prod"));
        var record = new LogRecord
        {
            TimeUnixNano = 1_764_921_600_123_456_700UL,
            ObservedTimeUnixNano = 1_764_921_601_000_000_000UL,
            SeverityNumber = SeverityNumber.Warn2,
            SeverityText = "Warning",
            Body = new AnyValue { StringValue = "disk almost full" },
            TraceId = ByteString.CopyFrom(TraceId),
            SpanId = ByteString.CopyFrom(SpanId),
            Flags = 1,
        };
        record.Attributes.Add(Kv("disk", "/var"));
        record.Attributes.Add(new KeyValue { Key = "free.pct", Value = new AnyValue { DoubleValue = 4.5 } });

        var mapped = Map(OtlpMapper.ForResource(resource), new InstrumentationScope { Name = "Disk.Monitor" }, record);

        Assert.Equal("checkout", mapped.Key);
        Assert.Equal("00-5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174-01", mapped.TraceParent);
        var parsed = Parse(mapped);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(17_649_216_001_234_567L), parsed.Timestamp);
        Assert.Equal("checkout", parsed.Service);
        Assert.Equal("web-7", parsed.Host);
        Assert.Equal(LogLevel.Warn, parsed.Level);
        Assert.Equal("disk almost full", parsed.Message);
        Assert.Equal("5b8efff798038103d269b633813fc60c", parsed.TraceId);
        Assert.Equal("eee19b7ec3c1b174", parsed.SpanId);
        Assert.Equal(new Dictionary<string, string>
        {
            ["deployment.environment"] = "prod",
            [OtlpMapper.ScopeAttribute] = "Disk.Monitor",
            ["disk"] = "/var",
            ["free.pct"] = "4.5",
        }, parsed.Attributes);
    }

    [Fact]
    public void FallsBackToConventionalNamesObservedTimeAndReceiptTime()
    {
        var fields = OtlpMapper.ForResource(null);
        Assert.Equal(OtlpMapper.UnknownService, fields.Service);
        Assert.Equal(OtlpMapper.UnknownHost, fields.Host);

        var observed = Parse(Map(fields, null, new LogRecord { ObservedTimeUnixNano = 1_000_000_000UL, Body = new AnyValue { StringValue = "x" } }));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(1), observed.Timestamp);

        var neither = Parse(Map(fields, null, new LogRecord()));
        Assert.Equal(Received, neither.Timestamp);
        Assert.Equal(string.Empty, neither.Message);
        Assert.Null(neither.TraceId);
        Assert.Null(neither.Attributes);
    }

    [Theory]
    [InlineData(SeverityNumber.Trace, null, LogLevel.Trace)]
    [InlineData(SeverityNumber.Debug4, null, LogLevel.Debug)]
    [InlineData(SeverityNumber.Info, "ERROR", LogLevel.Info)]
    [InlineData(SeverityNumber.Warn, null, LogLevel.Warn)]
    [InlineData(SeverityNumber.Error3, null, LogLevel.Error)]
    [InlineData(SeverityNumber.Fatal4, null, LogLevel.Fatal)]
    [InlineData(SeverityNumber.Unspecified, "Warning", LogLevel.Warn)]
    [InlineData(SeverityNumber.Unspecified, "err", LogLevel.Error)]
    [InlineData(SeverityNumber.Unspecified, "Critical", LogLevel.Fatal)]
    [InlineData(SeverityNumber.Unspecified, "Verbose", LogLevel.Trace)]
    [InlineData(SeverityNumber.Unspecified, null, LogLevel.Info)]
    [InlineData(SeverityNumber.Unspecified, "whatever", LogLevel.Info)]
    public void SeverityNumberWinsAndTextIsTheFallback(SeverityNumber number, string? text, LogLevel expected) =>
        Assert.Equal(expected, OtlpMapper.Level(number, text));

    [Fact]
    public void NonStringBodiesAndAttributesAreRenderedAsJson()
    {
        var list = new KeyValueList();
        list.Values.Add(Kv("user", "ana"));
        list.Values.Add(new KeyValue { Key = "ids", Value = new AnyValue { ArrayValue = new ArrayValue { Values = { new AnyValue { IntValue = 1 }, new AnyValue { BoolValue = true } } } } });
        list.Values.Add(new KeyValue { Key = "raw", Value = new AnyValue { BytesValue = ByteString.CopyFrom(1, 2, 3) } });

        Assert.Equal("""{"user":"ana","ids":[1,true],"raw":"AQID"}""", OtlpMapper.Render(new AnyValue { KvlistValue = list }));
        Assert.Equal("42", OtlpMapper.Render(new AnyValue { IntValue = 42 }));
        Assert.Equal("false", OtlpMapper.Render(new AnyValue { BoolValue = false }));
        Assert.Equal("\"NaN\"", OtlpMapper.Render(new AnyValue { DoubleValue = double.NaN }));
    }

    [Fact]
    public void AllZeroOrMalformedTraceIdsAreDropped()
    {
        var fields = OtlpMapper.ForResource(Resource(("service.name", "s")));
        var zero = Map(fields, null, new LogRecord { TraceId = ByteString.CopyFrom(new byte[16]), SpanId = ByteString.CopyFrom(SpanId) });
        Assert.Null(zero.TraceParent);
        Assert.Null(Parse(zero).TraceId);
        Assert.Null(Parse(zero).SpanId);

        var shortId = Map(fields, null, new LogRecord { TraceId = ByteString.CopyFrom(TraceId.AsSpan(0, 8)) });
        Assert.Null(Parse(shortId).TraceId);
    }

    [Fact]
    public void ARecordOverTheLimitIsRejectedWithItsSize()
    {
        var record = new LogRecord { Body = new AnyValue { StringValue = new string('x', 70_000) } };
        Assert.False(OtlpMapper.TryMap(OtlpMapper.ForResource(null), null, record, Received, 64 * 1024, out _, out var error));
        Assert.Contains("over the 65536-byte limit", error, StringComparison.Ordinal);
    }

    [Fact]
    public void OtlpJsonHexIdsEnumIntsAndStringNanosAreRead()
    {
        var json = """
            {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"js-app"}}]},
              "scopeLogs":[{"scope":{"name":"s"},"logRecords":[{"timeUnixNano":"1764921600000000000","severityNumber":17,
              "body":{"stringValue":"boom"},"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","unknownField":1}]}]}]}
            """;
        var request = OtlpHttpApi.ParseJson(Encoding.UTF8.GetBytes(json));
        var record = request.ResourceLogs[0].ScopeLogs[0].LogRecords[0];
        Assert.Equal(TraceId, record.TraceId.ToByteArray());
        Assert.Equal(SpanId, record.SpanId.ToByteArray());
        Assert.Equal(SeverityNumber.Error, record.SeverityNumber);
        Assert.Equal(1_764_921_600_000_000_000UL, record.TimeUnixNano);

        Assert.Throws<FormatException>(() => OtlpHttpApi.ParseJson(Encoding.UTF8.GetBytes(json.Replace("5b8efff7", "zzzzzzzz", StringComparison.Ordinal))));
    }

    private static MappedRecord Map(ResourceFields fields, InstrumentationScope? scope, LogRecord record)
    {
        Assert.True(OtlpMapper.TryMap(fields, scope, record, Received, 64 * 1024, out var mapped, out var error), error);
        return mapped;
    }

    /// <summary>The processor's own parser, with the fallbacks it would use: what it reads is what it stores.</summary>
    private static LogEvent Parse(MappedRecord mapped)
    {
        Assert.True(LogParser.TryParse(mapped.Value, new LogParseContext(mapped.Key, null, Received, TimeSpan.Zero), out var parsed, out var format, out var error), error.Message);
        Assert.Equal(LogFormat.Json, format);
        return parsed;
    }

    private static Resource Resource(params (string Key, string Value)[] attributes)
    {
        var resource = new Resource();
        resource.Attributes.AddRange(attributes.Select(a => Kv(a.Key, a.Value)));
        return resource;
    }

    private static KeyValue Kv(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };
}
