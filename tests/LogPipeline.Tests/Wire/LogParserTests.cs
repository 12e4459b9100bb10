using System.Text;
using LogPipeline.Formats;

namespace LogPipeline.Tests.Wire;

public sealed class LogParserTests
{
    private static readonly LogParseContext Context = new("edge-proxy", "lb-1", new DateTimeOffset(2026, 10, 12, 0, 0, 0, TimeSpan.Zero), TimeSpan.Zero);

    private static LogParseError Reject(ReadOnlySpan<byte> line, LogParseContext? context = null)
    {
        Assert.False(LogParser.TryParse(line, context ?? Context, out var e, out var error), $"parsed as {e}");
        Assert.NotEqual(LogParseErrorCode.None, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        return error;
    }

    private static LogParseError Reject(string line, LogParseContext? context = null) => Reject(Encoding.UTF8.GetBytes(line), context);

    [Fact]
    public void RejectsEmptyLines()
    {
        Assert.Equal(LogParseErrorCode.Empty, Reject(""u8).Code);
        Assert.Equal(LogParseErrorCode.Empty, Reject("  \r\n"u8).Code);
    }

    [Fact]
    public void RejectsInvalidUtf8()
    {
        Assert.Equal(LogParseErrorCode.InvalidUtf8, Reject([.. "ts=2026-01-01T00:00:00Z level=info msg="u8, 0xC3, 0x28]).Code);
        Assert.Equal(LogParseErrorCode.InvalidUtf8, Reject([0xFF, 0xFE, (byte)'{', (byte)'}']).Code);
        Assert.Equal(LogParseErrorCode.InvalidUtf8, Reject("""1.2.3.4 - - [10/Oct/2026:13:55:36 +0000] "GET /\xC3\x28 HTTP/1.1" 200 1 "-" "-" 0.001""").Code);
    }

    [Fact]
    public void RejectsLinesOverTheLimit()
    {
        var line = "ts=2026-01-01T00:00:00Z level=info msg=" + new string('x', LogParseContext.DefaultMaxLineBytes);
        Assert.Equal(LogParseErrorCode.TooLong, Reject(line).Code);
        Assert.Equal(LogParseErrorCode.TooLong, Reject("ts=2026-01-01T00:00:00Z level=info msg=hello", Context with { MaxLineBytes = 16 }).Code);
    }

    [Theory]
    [InlineData("just some words")]
    [InlineData("<html><body>")]
    [InlineData("a=1 b=2 c=3")]
    [InlineData("=== banner ===")]
    public void RejectsUnknownFormats(string line) => Assert.Equal(LogParseErrorCode.UnknownFormat, Reject(line).Code);

    [Fact]
    public void RejectsOtherJsonVersionsBeforeLookingAtTheirFields()
    {
        Assert.Equal(LogParseErrorCode.UnsupportedVersion, Reject("""{"v":2,"timestamp":"soon","level":"loud","message":"m"}""").Code);
        Assert.Equal(LogParseErrorCode.UnsupportedVersion, Reject("<14>2 2026-01-01T00:00:00Z h a - - - m").Code);
    }

    [Theory]
    [InlineData("""{"v":1,"timestamp":"2026-01-01T00:00:00Z","level":"info","message":"m",}""")]
    [InlineData("""{"v":1,"timestamp":"2026-01-01T00:00:00Z","level":"info","message":"m"} trailing""")]
    [InlineData("""{"v":"1"}""")]
    [InlineData("""{"message": 42}""")]
    [InlineData("{")]
    public void RejectsBrokenJson(string line) => Assert.Equal(LogParseErrorCode.BadJson, Reject(line).Code);

    [Theory]
    [InlineData("""{"v":1,"timestamp":"2026-13-01T00:00:00Z","level":"info","message":"m"}""")]
    [InlineData("""{"v":1,"timestamp":"2026-01-01T00:00:00","level":"info","message":"m"}""")]
    [InlineData("ts=yesterday level=info msg=m")]
    [InlineData("ts=2026-02-30T10:00:00Z level=info msg=m")]
    [InlineData("<14>1 2026-01-01 h a - - - m")]
    [InlineData("<14>Foo  1 00:00:00 h a: m")]
    [InlineData("<14>Oct 11 25:14:15 h a: m")]
    [InlineData("""1.2.3.4 - - [10/Oct/2026:13:55:36] "GET / HTTP/1.1" 200 1""")]
    public void RejectsBadTimestamps(string line) => Assert.Equal(LogParseErrorCode.BadTimestamp, Reject(line).Code);

    [Fact]
    public void Rfc3164WithoutAReceiveTimeIsABadTimestampNotACrash()
    {
        var line = "<13>Nov 22 10:15:32 web-1 app: hello";
        Assert.Equal(LogParseErrorCode.BadTimestamp, Reject(line, default(LogParseContext) with { FallbackService = "s", DefaultOffset = TimeSpan.FromHours(-5) }).Code);
        Assert.Equal(LogParseErrorCode.BadTimestamp, Reject(line, Context with { DefaultOffset = TimeSpan.FromSeconds(30) }).Code);
    }

    [Theory]
    [InlineData("""{"v":1,"timestamp":"2026-01-01T00:00:00Z","level":"loudest","message":"m","service":"s","host":"h"}""")]
    [InlineData("ts=2026-01-01T00:00:00Z level=SUPERCRITICAL msg=m service=s host=h")]
    [InlineData("<15>1 2026-01-01T00:00:00Z h a - - [meta@32473 level=\"ultra\"] m")]
    public void RejectsAbsurdLevels(string line) => Assert.Equal(LogParseErrorCode.BadLevel, Reject(line).Code);

    [Theory]
    [InlineData("""{"v":1,"timestamp":"2026-01-01T00:00:00Z","level":"info","message":"m","service":"s","host":"h","http":{"method":"GET","path":"/","status":999}}""")]
    [InlineData("ts=2026-01-01T00:00:00Z level=info msg=m method=GET path=/ status=abc")]
    [InlineData("ts=2026-01-01T00:00:00Z level=info msg=m method=GET status=200")]
    [InlineData("""<14>1 2026-01-01T00:00:00Z h a - - [http@32473 method="GET" path="/" status="200" duration_ms="-4"] m""")]
    [InlineData("""1.2.3.4 - - [10/Oct/2026:13:55:36 +0000] "-" 400 0 "-" "-" 0.000""")]
    [InlineData("""1.2.3.4 - - [10/Oct/2026:13:55:36 +0000] "GET / HTTP/1.1" 20 1 "-" "-" 0.001""")]
    public void RejectsBadHttpFields(string line) => Assert.Equal(LogParseErrorCode.BadHttp, Reject(line).Code);

    [Fact]
    public void ReportsMissingFieldsAfterFallbacks()
    {
        var noFallbacks = Context with { FallbackService = null, FallbackHost = null };
        Assert.Equal(LogParseErrorCode.MissingField, Reject("""{"v":1,"timestamp":"2026-01-01T00:00:00Z","level":"info","message":"m"}""", noFallbacks).Code);
        Assert.Equal(LogParseErrorCode.MissingField, Reject("""1.2.3.4 - - [10/Oct/2026:13:55:36 +0000] "GET / HTTP/1.1" 200 1""", noFallbacks).Code);
        Assert.Equal(LogParseErrorCode.MissingField, Reject("level=info msg=m").Code);
        Assert.True(LogParser.TryParse("""{"v":1,"timestamp":"2026-01-01T00:00:00Z","level":"info","message":"m"}""", Context, out var e, out _, out _));
        Assert.Equal(("edge-proxy", "lb-1"), (e.Service, e.Host));
    }

    [Fact]
    public void ReportsMalformedSyntaxOfARecognisedFormat()
    {
        Assert.Equal(LogParseErrorCode.Malformed, Reject("ts=2026-01-01T00:00:00Z level=info msg=\"never closed").Code);
        Assert.Equal(LogParseErrorCode.Malformed, Reject("<14>1 2026-01-01T00:00:00Z h a - - [x@1 a=\"b\" m").Code);
    }

    [Fact]
    public void ErrorCodesAreStableKebabStrings()
    {
        Assert.Equal("invalid-utf8", LogParseErrorCode.InvalidUtf8.ToCode());
        Assert.Equal("unsupported-version", LogParseErrorCode.UnsupportedVersion.ToCode());
        Assert.Equal("bad-timestamp", new LogParseError(LogParseErrorCode.BadTimestamp, "x").ReasonCode);
        foreach (var code in Enum.GetValues<LogParseErrorCode>())
        {
            Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", code.ToCode());
        }

        Assert.Equal(Enum.GetValues<LogParseErrorCode>().Length, Enum.GetValues<LogParseErrorCode>().Select(c => c.ToCode()).Distinct().Count());
    }

    [Theory]
    [InlineData("warning", LogLevel.Warn)]
    [InlineData("WARN", LogLevel.Warn)]
    [InlineData("Err", LogLevel.Error)]
    [InlineData("CRITICAL", LogLevel.Fatal)]
    [InlineData("Information", LogLevel.Info)]
    [InlineData("notice", LogLevel.Info)]
    [InlineData("DBG", LogLevel.Debug)]
    [InlineData("verbose", LogLevel.Trace)]
    public void LevelsParseCaseInsensitivelyWithAliases(string level, LogLevel expected)
    {
        Assert.True(LogParser.TryParse($"ts=2026-01-01T00:00:00Z level={level} msg=m", Context, out var e, out _, out var error), error.ToString());
        Assert.Equal(expected, e.Level);
        Assert.True(LogParser.TryParse($$"""{"timestamp":"2026-01-01T00:00:00Z","level":"{{level}}","message":"m"}""", Context, out e, out _, out error), error.ToString());
        Assert.Equal(expected, e.Level);
    }

    [Fact]
    public void ParsesNginxCombinedLines()
    {
        // The nginx documentation's combined example, with $request_time appended as our format does.
        Assert.True(LogParser.TryParse(
            """127.0.0.1 - frank [10/Oct/2026:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)" 0.057""",
            Context, out var e, out var format, out var error), error.ToString());
        Assert.Equal(LogFormat.Combined, format);
        Assert.Equal(new DateTimeOffset(2026, 10, 10, 13, 55, 36, TimeSpan.FromHours(-7)), e.Timestamp);
        Assert.Equal(new HttpInfo { Method = "GET", Path = "/apache_pb.gif", Status = 200, DurationMs = 57, Bytes = 2326 }, e.Http);
        Assert.Equal(("edge-proxy", "lb-1", LogLevel.Info, "GET /apache_pb.gif HTTP/1.0"), (e.Service, e.Host, e.Level, e.Message));
        Assert.Equal("Mozilla/4.08 [en] (Win98; I ;Nav)", e.Attributes![WireAttributes.UserAgent]);
        Assert.Equal("http://www.example.com/start.html", e.Attributes[WireAttributes.Referer]);

        // Common log format (no referer, agent or time), "-" bytes, a 5xx.
        Assert.True(LogParser.TryParse("""192.168.1.20 - - [28/Jul/2026:10:27:10 +0000] "POST /login HTTP/1.1" 502 -""", Context, out e, out _, out error), error.ToString());
        Assert.Equal((LogLevel.Error, 0L, 0d), (e.Level, e.Http!.Bytes, e.Http.DurationMs));
    }

    [Fact]
    public void ParsesRsyslogAndRfcExampleLines()
    {
        // RFC 5424 section 6.5, examples 1 and 3 (the latter with foreign SD elements, which are skipped).
        Assert.True(LogParser.TryParse(
            "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8",
            Context, out var e, out var format, out var error), error.ToString());
        Assert.Equal(LogFormat.Rfc5424, format);
        Assert.Equal(("su", "mymachine.example.com", LogLevel.Fatal, "'su root' failed for lonvick on /dev/pts/8"), (e.Service, e.Host, e.Level, e.Message));
        Assert.Equal(new DateTimeOffset(2003, 10, 11, 22, 14, 15, 3, TimeSpan.Zero), e.Timestamp);

        Assert.True(LogParser.TryParse(
            """<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"] An application event""",
            Context, out e, out _, out error), error.ToString());
        Assert.Equal(("evntslog", LogLevel.Info, "An application event"), (e.Service, e.Level, e.Message));

        // RFC 5424 example 2: NILVALUE app-name falls back.
        Assert.True(LogParser.TryParse("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.", Context, out e, out _, out error), error.ToString());
        Assert.Equal(("myproc", "8710", TimeSpan.FromHours(-7)), (e.Service, e.Attributes![WireAttributes.Pid], e.Timestamp.Offset));
        Assert.Equal(30, e.Timestamp.Ticks % TimeSpan.TicksPerSecond);

        // RFC 3164 section 5.4 and a typical rsyslog traditional-format line.
        Assert.True(LogParser.TryParse("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8", Context, out e, out format, out error), error.ToString());
        Assert.Equal(LogFormat.Rfc3164, format);
        Assert.Equal(("su", "mymachine", LogLevel.Fatal, new DateTimeOffset(2026, 10, 11, 22, 14, 15, TimeSpan.Zero)), (e.Service, e.Host, e.Level, e.Timestamp));
        Assert.True(LogParser.TryParse("<30>Oct  9 07:01:02 web-3 systemd[1]: Started Session 42 of user root.", Context, out e, out _, out error), error.ToString());
        Assert.Equal(("systemd", "1", 9, "Started Session 42 of user root."), (e.Service, e.Attributes![WireAttributes.Pid], e.Timestamp.Day, e.Message));
    }

    [Fact]
    public void ParsesLogfmtFromOtherLoggers()
    {
        // logrus/Go-kit style: time= instead of ts=, unknown keys become attributes.
        Assert.True(LogParser.TryParse(
            "time=\"2026-05-01T08:00:00.5Z\" level=warning msg=\"disk 91% full\" component=storage service=db host=db-1",
            Context, out var e, out var format, out var error), error.ToString());
        Assert.Equal(LogFormat.Logfmt, format);
        Assert.Equal((LogLevel.Warn, "disk 91% full", "storage"), (e.Level, e.Message, e.Attributes!["component"]));
        Assert.Null(e.Http);
    }
}
