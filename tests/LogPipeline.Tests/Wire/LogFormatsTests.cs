using System.Text;
using LogPipeline.Formats;

namespace LogPipeline.Tests.Wire;

public sealed class LogFormatsTests
{
    public static readonly TheoryData<LogFormat> AllFormats = [LogFormat.Json, LogFormat.Combined, LogFormat.Rfc5424, LogFormat.Rfc3164, LogFormat.Logfmt];

    private static LogEvent Access(DateTimeOffset? at = null, LogLevel level = LogLevel.Info, int status = 200) => new()
    {
        Timestamp = at ?? new DateTimeOffset(2026, 11, 22, 10, 15, 32, TimeSpan.FromHours(1)).AddTicks(1_234_567),
        Service = "checkout",
        Host = "checkout-7f9c-2",
        Level = level,
        Message = "GET /api/orders/123 HTTP/1.1",
        Http = new HttpInfo { Method = "GET", Path = "/api/orders/123", Status = status, DurationMs = 12.3456, Bytes = 5123 },
        TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
        SpanId = "00f067aa0ba902b7",
        Attributes = new Dictionary<string, string>
        {
            [WireAttributes.ClientIp] = "10.1.2.3",
            [WireAttributes.UserAgent] = "Mozilla/5.0 (X11; Linux x86_64) \"quoted\"",
            [WireAttributes.Pid] = "4242",
            ["region"] = "eu-west-1",
        },
    };

    private static LogEvent App(string message, LogLevel level = LogLevel.Error, TimeSpan? offset = null) => new()
    {
        Timestamp = new DateTimeOffset(2026, 3, 5, 23, 59, 1, offset ?? TimeSpan.FromHours(-5)).AddTicks(9_876_543),
        Service = "payments",
        Host = "payments-01ab-0",
        Level = level,
        Message = message,
        TraceId = "0af7651916cd43dd8448eb211c80319c",
        Attributes = new Dictionary<string, string> { ["user_id"] = "u-88213", ["note"] = "a=b \"c\" \\d ]e" },
    };

    [Theory]
    [MemberData(nameof(AllFormats))]
    public void AccessEventRoundTripsTheFieldsItsFormatCarries(LogFormat format) => WireAssert.RoundTrip(Access(), format);

    [Theory]
    [MemberData(nameof(AllFormats))]
    public void EveryLevelRoundTrips(LogFormat format)
    {
        foreach (var level in Enum.GetValues<LogLevel>())
        {
            var e = format == LogFormat.Combined ? Access(level: level, status: level >= LogLevel.Error ? 503 : level == LogLevel.Warn ? 429 : 204) : App("x", level);
            WireAssert.RoundTrip(e, format);
        }
    }

    [Theory]
    [InlineData(LogFormat.Json)]
    [InlineData(LogFormat.Rfc5424)]
    [InlineData(LogFormat.Rfc3164)]
    [InlineData(LogFormat.Logfmt)]
    public void AwkwardMessagesRoundTrip(LogFormat format)
    {
        string[] messages =
        [
            "Timeout after 3012 ms calling payments-gateway for order 88213",
            "quote \" backslash \\ bracket ] equals = end",
            "[starts with a bracket] and \\\"escaped\\\"",
            "ünïcödé — 日本語 and emoji 🔥🚀",
            "trailing backslash \\",
            "key=value msg=\"nested\" ts=2020",
            string.Empty,
        ];
        foreach (var message in messages)
        {
            WireAssert.RoundTrip(App(message), format);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(330)]
    [InlineData(-480)]
    [InlineData(765)]
    public void OffsetsArePreservedWhereTheFormatCarriesThem(int offsetMinutes)
    {
        var e = Access(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.FromMinutes(offsetMinutes)).AddTicks(5));
        foreach (var format in new[] { LogFormat.Json, LogFormat.Combined, LogFormat.Rfc5424, LogFormat.Logfmt })
        {
            Assert.Equal(TimeSpan.FromMinutes(offsetMinutes), WireAssert.RoundTrip(e, format).Timestamp.Offset);
        }
    }

    [Fact]
    public void PathsWithQuotesAndBackslashesSurviveTheCombinedFormat()
    {
        var e = Access() with { Http = Access().Http! with { Path = "/search?q=\"a\\b\"&x=]" } };
        var line = LogFormatter.Format(e, LogFormat.Combined);
        Assert.Contains("\\x22", line, StringComparison.Ordinal);
        WireAssert.RoundTrip(e, LogFormat.Combined);
        WireAssert.RoundTrip(e, LogFormat.Rfc5424);
        WireAssert.RoundTrip(e, LogFormat.Logfmt);
    }

    [Fact]
    public void FormatsLookLikeTheirRealWorldCounterparts()
    {
        var e = Access();
        Assert.Equal(
            "10.1.2.3 - - [22/Nov/2026:10:15:32 +0100] \"GET /api/orders/123 HTTP/1.1\" 200 5123 \"-\" \"Mozilla/5.0 (X11; Linux x86_64) \\x22quoted\\x22\" 0.012",
            LogFormatter.Format(e, LogFormat.Combined));
        Assert.Equal(
            "<134>1 2026-11-22T10:15:32.123456+01:00 checkout-7f9c-2 checkout 4242 - [http@32473 method=\"GET\" path=\"/api/orders/123\" status=\"200\" duration_ms=\"12.346\" bytes=\"5123\"]"
            + "[trace@32473 trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\" span_id=\"00f067aa0ba902b7\"]"
            + "[attr@32473 client_ip=\"10.1.2.3\" user_agent=\"Mozilla/5.0 (X11; Linux x86_64) \\\"quoted\\\"\" region=\"eu-west-1\"] GET /api/orders/123 HTTP/1.1",
            LogFormatter.Format(e, LogFormat.Rfc5424));
        Assert.Equal("<134>Nov 22 10:15:32 checkout-7f9c-2 checkout[4242]: GET /api/orders/123 HTTP/1.1", LogFormatter.Format(e, LogFormat.Rfc3164));
        Assert.StartsWith(
            "ts=2026-11-22T10:15:32.123456+01:00 level=info service=checkout host=checkout-7f9c-2 msg=\"GET /api/orders/123 HTTP/1.1\" method=GET path=/api/orders/123 status=200 duration_ms=12.346 bytes=5123 trace_id=",
            LogFormatter.Format(e, LogFormat.Logfmt));
        Assert.Equal("<130>Mar  5 23:59:01 payments-01ab-0 payments: boom", LogFormatter.Format(App("boom", LogLevel.Fatal) with { Attributes = null }, LogFormat.Rfc3164));
    }

    [Fact]
    public void CombinedRefusesEventsWithoutHttp()
        => Assert.Throws<ArgumentException>(() => LogFormatter.Format(App("no http"), LogFormat.Combined));

    [Theory]
    [InlineData("2026-12-31T23:59:58+00:00", "2027-01-01T00:00:05+00:00", 2026)]
    [InlineData("2027-01-01T00:00:02+00:00", "2026-12-31T23:59:50+00:00", 2027)]
    [InlineData("2026-06-15T12:00:00+00:00", "2026-06-15T12:00:01+00:00", 2026)]
    [InlineData("2028-02-29T08:00:00+00:00", "2028-03-01T00:00:00+00:00", 2028)]
    public void Rfc3164TakesTheYearClosestToReception(string at, string received, int year)
    {
        var e = App("new year") with { Timestamp = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture) };
        var line = LogFormatter.Format(e, LogFormat.Rfc3164);
        var context = new LogParseContext(null, null, DateTimeOffset.Parse(received, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.Zero);
        Assert.True(LogParser.TryParse(line, context, out var parsed, out _, out var error), error.ToString());
        Assert.Equal(year, parsed.Timestamp.Year);
        Assert.Equal(e.Timestamp.AddTicks(-(e.Timestamp.Ticks % TimeSpan.TicksPerSecond)), parsed.Timestamp);
    }

    [Fact]
    public void Rfc3164ReadsTheWallTimeInTheDefaultOffset()
    {
        var context = new LogParseContext("svc", "h", new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(5.5));
        Assert.True(LogParser.TryParse("<13>Nov 22 14:31:00 web-1 cron[77]: job done", context, out var e, out _, out _));
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 14, 31, 0, TimeSpan.FromHours(5.5)), e.Timestamp);
        Assert.Equal(TimeSpan.FromHours(5.5), e.Timestamp.Offset);
        Assert.Equal(("cron", "web-1", LogLevel.Info, "job done"), (e.Service, e.Host, e.Level, e.Message));
        Assert.Equal("77", e.Attributes![WireAttributes.Pid]);
    }

    [Fact]
    public void Utf8BytesParseLikeStrings()
    {
        var line = LogFormatter.Format(App("emoji 🔥"), LogFormat.Logfmt);
        var context = WireExpectations.ContextFor(App("x"));
        Assert.True(LogParser.TryParse(Encoding.UTF8.GetBytes(line + "\r\n"), context, out var e, out var error), error.ToString());
        Assert.Equal("emoji 🔥", e.Message);
    }
}
