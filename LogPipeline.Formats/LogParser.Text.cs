using System.Diagnostics.CodeAnalysis;

namespace LogPipeline.Formats;

public static partial class LogParser
{
    /// <summary>Three space-separated tokens (address, ident, user) and then <c>[</c>: the common/combined shape.</summary>
    private static bool LooksCombined(ReadOnlySpan<byte> line)
    {
        for (var token = 0; token < 3; token++)
        {
            var space = line.IndexOf((byte)' ');
            if (space <= 0 || line[..space].IndexOfAny("\"[="u8) >= 0)
            {
                return false;
            }

            line = line[(space + 1)..];
        }

        return !line.IsEmpty && line[0] == '[';
    }

    /// <summary>
    /// <c>addr ident user [dd/Mon/yyyy:hh:mm:ss +zzzz] "request" status bytes ["referer" "agent" [request_time]]</c>;
    /// anything after those fields (upstream times and the like) is ignored.
    /// </summary>
    private static bool TryParseCombined(ReadOnlySpan<byte> line, in LogParseContext context, [NotNullWhen(true)] out LogEvent? result, out LogParseError error)
    {
        result = null;
        var clientIp = line[..line.IndexOf((byte)' ')];
        var rest = line[(line.IndexOf((byte)'[') + 1)..];
        var close = rest.IndexOf((byte)']');
        if (close != 26 || !TryParseCombinedTime(rest[..close], out var timestamp))
        {
            return Fail(LogParseErrorCode.BadTimestamp, "combined timestamp is not 'dd/Mon/yyyy:hh:mm:ss +zzzz'", out error);
        }

        rest = rest[(close + 1)..];
        if (!rest.StartsWith(" \""u8))
        {
            return Fail(LogParseErrorCode.Malformed, "combined line has no quoted request after the timestamp", out error);
        }

        rest = rest[2..];
        var requestEnd = ClosingQuote(rest);
        if (requestEnd < 0)
        {
            return Fail(LogParseErrorCode.Malformed, "combined request is not closed", out error);
        }

        if (!TryUnescape(rest[..requestEnd], Escapes.Nginx, out var request))
        {
            return Fail(LogParseErrorCode.InvalidUtf8, "combined request escapes are not valid UTF-8", out error);
        }

        rest = rest[(requestEnd + 1)..];
        if (!NextToken(ref rest, out var statusField) || !WireText.TryParseInt(statusField, out var status) || !WireText.IsValidStatus(status))
        {
            return Fail(LogParseErrorCode.BadHttp, "combined status is not 100-599", out error);
        }

        long bytes = 0;
        if (!NextToken(ref rest, out var bytesField) || (!bytesField.SequenceEqual("-"u8) && !WireText.TryParseLong(bytesField, out bytes)))
        {
            return Fail(LogParseErrorCode.BadHttp, "combined body bytes is not a number", out error);
        }

        string? referer = null, userAgent = null;
        if (!TryQuotedField(ref rest, out referer) || !TryQuotedField(ref rest, out userAgent))
        {
            return Fail(LogParseErrorCode.Malformed, "combined referer or user agent is not a closed quoted string", out error);
        }

        double durationMs = 0;
        if (NextToken(ref rest, out var timeField))
        {
            if (!WireText.TryParseDuration(timeField, out var seconds))
            {
                return Fail(LogParseErrorCode.BadHttp, "combined request_time is not a number of seconds", out error);
            }

            durationMs = Math.Round(seconds * 1000, 3, MidpointRounding.AwayFromZero);
        }

        var firstSpace = request.IndexOf(' ', StringComparison.Ordinal);
        var lastSpace = request.LastIndexOf(' ');
        if (firstSpace <= 0)
        {
            return Fail(LogParseErrorCode.BadHttp, "combined request is not 'METHOD path [protocol]'", out error);
        }

        var pathEnd = lastSpace > firstSpace && request.AsSpan(lastSpace + 1).StartsWith("HTTP/", StringComparison.Ordinal) ? lastSpace : request.Length;
        var path = request[(firstSpace + 1)..pathEnd];
        if (path.Length == 0)
        {
            return Fail(LogParseErrorCode.BadHttp, "combined request has no path", out error);
        }

        var http = new HttpInfo { Method = request[..firstSpace], Path = path, Status = status, DurationMs = durationMs, Bytes = bytes };
        Dictionary<string, string>? attributes = null;
        Add(ref attributes, WireAttributes.ClientIp, clientIp.SequenceEqual("-"u8) ? null : WireText.Utf8(clientIp));
        Add(ref attributes, WireAttributes.Referer, referer);
        Add(ref attributes, WireAttributes.UserAgent, userAgent);
        var level = status >= 500 ? LogLevel.Error : status >= 400 ? LogLevel.Warn : LogLevel.Info;
        return Build(timestamp, null, null, level, request, http, null, null, attributes, context, out result, out error);

        static void Add(ref Dictionary<string, string>? attributes, string key, string? value)
        {
            if (value is not null and not "-" and not "")
            {
                (attributes ??= new(AttributesCapacity))[key] = value;
            }
        }
    }

    private static bool TryParseCombinedTime(ReadOnlySpan<byte> s, out DateTimeOffset value)
    {
        value = default;
        var month = WireText.MonthIndex(s[3..6]);
        if (s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':' || s[20] != ' ' || (s[21] != '+' && s[21] != '-') || month == 0
            || !WireText.Digits(s, 0, 2, out var day) || !WireText.Digits(s, 7, 4, out var year) || !WireText.Digits(s, 12, 2, out var hour)
            || !WireText.Digits(s, 15, 2, out var minute) || !WireText.Digits(s, 18, 2, out var second)
            || !WireText.Digits(s, 22, 2, out var oh) || !WireText.Digits(s, 24, 2, out var om) || om > 59)
        {
            return false;
        }

        var offset = new TimeSpan(oh, om, 0);
        return WireText.TryCreate(year, month, day, hour, minute, second, 0, s[21] == '-' ? -offset : offset, out value);
    }

    /// <summary>Takes a space-prefixed token; false at the end of the line.</summary>
    private static bool NextToken(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> token)
    {
        token = default;
        if (rest.Length < 2 || rest[0] != ' ')
        {
            return false;
        }

        rest = rest[1..];
        var space = rest.IndexOf((byte)' ');
        token = space < 0 ? rest : rest[..space];
        rest = space < 0 ? default : rest[space..];
        return !token.IsEmpty;
    }

    /// <summary>An optional space-prefixed quoted field; absent is fine, unterminated is not.</summary>
    private static bool TryQuotedField(ref ReadOnlySpan<byte> rest, out string? value)
    {
        value = null;
        if (!rest.StartsWith(" \""u8))
        {
            return true;
        }

        var close = ClosingQuote(rest[2..]);
        if (close < 0 || !TryUnescape(rest.Slice(2, close), Escapes.Nginx, out value))
        {
            return false;
        }

        rest = rest[(close + 3)..];
        return true;
    }

    private static bool TryParseLogfmt(ReadOnlySpan<byte> line, in LogParseContext context, [NotNullWhen(true)] out LogEvent? result, out LogFormat? format, out LogParseError error)
    {
        result = null;
        format = null;
        ReadOnlySpan<byte> ts = default, levelField = default, statusField = default, durationField = default, bytesField = default;
        bool hasTs = false, hasLevel = false, hasMsg = false, hasStatus = false, hasDuration = false, hasBytes = false;
        string? service = null, host = null, message = null, method = null, path = null, traceId = null, spanId = null;
        Dictionary<string, string>? attributes = null;
        var rest = line;
        var first = true;
        while (true)
        {
            rest = rest.TrimStart((byte)' ');
            if (rest.IsEmpty)
            {
                break;
            }

            var keyEnd = rest.IndexOfAny((byte)'=', (byte)' ');
            if (keyEnd < 0)
            {
                keyEnd = rest.Length;
            }

            var key = rest[..keyEnd];
            if (first && (keyEnd == 0 || keyEnd == rest.Length || rest[keyEnd] != '=' || !IsLogfmtKey(key)))
            {
                return Fail(LogParseErrorCode.UnknownFormat, "line is not JSON, syslog, combined or logfmt", out error);
            }

            first = false;
            if (key.IndexOf((byte)'"') >= 0)
            {
                format = LogFormat.Logfmt;
                return Fail(LogParseErrorCode.Malformed, "logfmt key contains a quote", out error);
            }

            rest = rest[keyEnd..];
            ReadOnlySpan<byte> raw = default;
            var quoted = false;
            if (!rest.IsEmpty && rest[0] == '=')
            {
                rest = rest[1..];
                if (!rest.IsEmpty && rest[0] == '"')
                {
                    var close = ClosingQuote(rest[1..]);
                    if (close < 0)
                    {
                        format = LogFormat.Logfmt;
                        return Fail(LogParseErrorCode.Malformed, "logfmt quoted value is not closed", out error);
                    }

                    raw = rest.Slice(1, close);
                    quoted = true;
                    rest = rest[(close + 2)..];
                }
                else
                {
                    var space = rest.IndexOf((byte)' ');
                    raw = space < 0 ? rest : rest[..space];
                    rest = space < 0 ? default : rest[space..];
                }
            }

            var escaped = quoted && raw.IndexOf((byte)'\\') >= 0;
            if (key.SequenceEqual("ts"u8) || key.SequenceEqual("time"u8) || key.SequenceEqual("timestamp"u8))
            {
                ts = escaped ? "?"u8 : raw;
                hasTs = true;
            }
            else if (key.SequenceEqual("level"u8) || key.SequenceEqual("lvl"u8))
            {
                levelField = escaped ? "?"u8 : raw;
                hasLevel = true;
            }
            else if (key.SequenceEqual("msg"u8) || key.SequenceEqual("message"u8))
            {
                (message, hasMsg) = (Decode(raw, quoted), true);
            }
            else if (key.SequenceEqual("service"u8))
            {
                service = Name(raw, quoted);
            }
            else if (key.SequenceEqual("host"u8))
            {
                host = Name(raw, quoted);
            }
            else if (key.SequenceEqual("method"u8))
            {
                method = Name(raw, quoted);
            }
            else if (key.SequenceEqual("path"u8))
            {
                path = Decode(raw, quoted);
            }
            else if (key.SequenceEqual("status"u8))
            {
                statusField = raw;
                hasStatus = true;
            }
            else if (key.SequenceEqual("duration_ms"u8))
            {
                durationField = raw;
                hasDuration = true;
            }
            else if (key.SequenceEqual("bytes"u8))
            {
                bytesField = raw;
                hasBytes = true;
            }
            else if (key.SequenceEqual("trace_id"u8))
            {
                traceId = Decode(raw, quoted);
            }
            else if (key.SequenceEqual("span_id"u8))
            {
                spanId = Decode(raw, quoted);
            }
            else
            {
                (attributes ??= new(AttributesCapacity))[Utf8Interner.Get(key)] = Decode(raw, quoted);
            }
        }

        if (!hasTs && !hasLevel && !hasMsg)
        {
            return Fail(LogParseErrorCode.UnknownFormat, "key=value line has none of ts, level, msg", out error);
        }

        format = LogFormat.Logfmt;
        if (!hasTs)
        {
            return Fail(LogParseErrorCode.MissingField, "logfmt line has no 'ts'", out error);
        }

        if (!WireText.TryParseRfc3339(ts, out var timestamp))
        {
            return Fail(LogParseErrorCode.BadTimestamp, "logfmt 'ts' is not RFC 3339 with an offset", out error);
        }

        if (!hasLevel)
        {
            return Fail(LogParseErrorCode.MissingField, "logfmt line has no 'level'", out error);
        }

        if (!WireText.TryParseLevel(levelField, out var level))
        {
            return Fail(LogParseErrorCode.BadLevel, "logfmt 'level' is not a known level", out error);
        }

        int? status = null;
        double? duration = null;
        long? bytes = null;
        if (hasStatus)
        {
            status = WireText.TryParseInt(statusField, out var s) ? s : -1;
        }

        if (hasDuration)
        {
            duration = WireText.TryParseDuration(durationField, out var d) ? d : -1;
        }

        if (hasBytes)
        {
            bytes = WireText.TryParseLong(bytesField, out var b) ? b : -1;
        }

        if (!TryHttp(method, path, status, duration, bytes, out var http, out error))
        {
            return false;
        }

        return Build(timestamp, service, host, level, message ?? string.Empty, http, traceId, spanId, attributes, context, out result, out error);

        static string Decode(ReadOnlySpan<byte> raw, bool quoted)
            => !quoted ? WireText.Utf8(raw) : TryUnescape(raw, Escapes.Logfmt, out var s) ? s : string.Empty;

        // Service, host and method repeat from line to line: one shared string each (quoted ones are rare).
        static string Name(ReadOnlySpan<byte> raw, bool quoted) => quoted ? Decode(raw, quoted) : Utf8Interner.Get(raw);
    }

    private static bool IsLogfmtKey(ReadOnlySpan<byte> key)
    {
        foreach (var b in key)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'_' or (byte)'.' or (byte)'-' or (byte)'/' or (byte)'@'))
            {
                return false;
            }
        }

        return true;
    }
}
