using System.Diagnostics.CodeAnalysis;

namespace LogPipeline.Formats;

public static partial class LogParser
{
    /// <summary><paramref name="rest"/> starts after <c>&lt;PRI&gt;1 </c>.</summary>
    private static bool TryParseRfc5424(int pri, ReadOnlySpan<byte> rest, in LogParseContext context, [NotNullWhen(true)] out LogEvent? result, out LogParseError error)
    {
        result = null;
        if (!NextField(ref rest, out var tsField) || !NextField(ref rest, out var hostField) || !NextField(ref rest, out var appField)
            || !NextField(ref rest, out var procField) || !NextField(ref rest, out _) || rest.IsEmpty)
        {
            return Fail(LogParseErrorCode.Malformed, "RFC 5424 header is incomplete", out error);
        }

        if (tsField.SequenceEqual("-"u8))
        {
            return Fail(LogParseErrorCode.MissingField, "RFC 5424 timestamp is NILVALUE", out error);
        }

        if (!WireText.TryParseRfc3339(tsField, out var timestamp))
        {
            return Fail(LogParseErrorCode.BadTimestamp, "RFC 5424 timestamp is not RFC 3339 with an offset", out error);
        }

        var level = WireText.FromSeverity(pri & 7);
        string? method = null, path = null, traceId = null, spanId = null;
        int? status = null;
        double? duration = null;
        long? bytes = null;
        Dictionary<string, string>? attributes = null;
        if (!procField.SequenceEqual("-"u8))
        {
            attributes = new(AttributesCapacity) { [WireAttributes.Pid] = Utf8Interner.Get(procField) };
        }

        if (rest[0] == '-')
        {
            rest = rest[1..];
        }
        else if (rest[0] != '[')
        {
            return Fail(LogParseErrorCode.Malformed, "RFC 5424 structured data is neither '-' nor '['", out error);
        }

        while (!rest.IsEmpty && rest[0] == '[')
        {
            var idEnd = rest.IndexOfAny((byte)' ', (byte)']');
            if (idEnd < 0)
            {
                return Fail(LogParseErrorCode.Malformed, "RFC 5424 SD element is not closed", out error);
            }

            var sdId = rest[1..idEnd];
            rest = rest[idEnd..];
            while (true)
            {
                if (rest.IsEmpty)
                {
                    return Fail(LogParseErrorCode.Malformed, "RFC 5424 SD element is not closed", out error);
                }

                if (rest[0] == ']')
                {
                    rest = rest[1..];
                    break;
                }

                var eq = rest.IndexOf((byte)'=');
                if (rest[0] != ' ' || eq < 2 || eq + 1 >= rest.Length || rest[eq + 1] != '"')
                {
                    return Fail(LogParseErrorCode.Malformed, "RFC 5424 SD parameter is not name=\"value\"", out error);
                }

                var name = rest[1..eq];
                rest = rest[(eq + 2)..];
                var close = ClosingQuote(rest);
                if (close < 0)
                {
                    return Fail(LogParseErrorCode.Malformed, "RFC 5424 SD parameter value is not closed", out error);
                }

                var raw = rest[..close];
                rest = rest[(close + 1)..];
                if (sdId.SequenceEqual("http@32473"u8))
                {
                    if (name.SequenceEqual("method"u8))
                    {
                        method = Sd(raw);
                    }
                    else if (name.SequenceEqual("path"u8))
                    {
                        path = Sd(raw);
                    }
                    else if (name.SequenceEqual("status"u8))
                    {
                        status = WireText.TryParseInt(raw, out var s) ? s : -1;
                    }
                    else if (name.SequenceEqual("duration_ms"u8))
                    {
                        duration = WireText.TryParseDuration(raw, out var d) ? d : -1;
                    }
                    else if (name.SequenceEqual("bytes"u8))
                    {
                        bytes = WireText.TryParseLong(raw, out var b) ? b : -1;
                    }
                }
                else if (sdId.SequenceEqual("trace@32473"u8))
                {
                    if (name.SequenceEqual("trace_id"u8))
                    {
                        traceId = Sd(raw);
                    }
                    else if (name.SequenceEqual("span_id"u8))
                    {
                        spanId = Sd(raw);
                    }
                }
                else if (sdId.SequenceEqual("attr@32473"u8))
                {
                    attributes ??= new(AttributesCapacity);
                    attributes[Utf8Interner.Get(name)] = Sd(raw);
                }
                else if (sdId.SequenceEqual("meta@32473"u8) && name.SequenceEqual("level"u8)
                    && !WireText.TryParseLevel(raw, out level))
                {
                    return Fail(LogParseErrorCode.BadLevel, "RFC 5424 meta level is not a known level", out error);
                }

                // Other SD elements (timeQuality, origin, vendors' own) carry nothing LogEvent has.
            }
        }

        string message;
        if (rest.IsEmpty)
        {
            message = string.Empty;
        }
        else if (rest[0] == ' ')
        {
            rest = rest[1..];
            message = WireText.Utf8(rest.StartsWith("\uFEFF"u8) ? rest[3..] : rest);
        }
        else
        {
            return Fail(LogParseErrorCode.Malformed, "RFC 5424 structured data is not followed by a space", out error);
        }

        if (!TryHttp(method, path, status, duration, bytes, out var http, out error))
        {
            return false;
        }

        return Build(timestamp, Nil(appField), Nil(hostField), level, message, http, traceId, spanId, attributes, context, out result, out error);

        static string Sd(ReadOnlySpan<byte> raw) => TryUnescape(raw, Escapes.Sd, out var s) ? s : string.Empty;

        static string? Nil(ReadOnlySpan<byte> field) => field.SequenceEqual("-"u8) ? null : Utf8Interner.Get(field);
    }

    /// <summary>
    /// <paramref name="rest"/> starts after <c>&lt;PRI&gt;</c> at the month. BSD syslog has neither year
    /// nor zone: the zone is <see cref="LogParseContext.DefaultOffset"/> and the year is the one that
    /// puts the time closest to <see cref="LogParseContext.ReceivedAt"/>, so a December line received
    /// on 1 January lands in the old year.
    /// </summary>
    private static bool TryParseRfc3164(int pri, ReadOnlySpan<byte> rest, in LogParseContext context, [NotNullWhen(true)] out LogEvent? result, out LogParseError error)
    {
        result = null;
        var month = rest.Length > 4 && rest[3] == ' ' ? WireText.MonthIndex(rest[..3]) : 0;
        if (month == 0)
        {
            return Fail(LogParseErrorCode.BadTimestamp, "RFC 3164 timestamp does not start with a month", out error);
        }

        rest = rest[4..].TrimStart((byte)' ');
        var dayEnd = rest.IndexOf((byte)' ');
        if (dayEnd is < 1 or > 2 || !WireText.Digits(rest, 0, dayEnd, out var day)
            || rest.Length < dayEnd + 9 || rest[dayEnd + 3] != ':' || rest[dayEnd + 6] != ':'
            || !WireText.Digits(rest, dayEnd + 1, 2, out var hour) || !WireText.Digits(rest, dayEnd + 4, 2, out var minute)
            || !WireText.Digits(rest, dayEnd + 7, 2, out var second))
        {
            return Fail(LogParseErrorCode.BadTimestamp, "RFC 3164 timestamp is not 'Mmm dd hh:mm:ss'", out error);
        }

        rest = rest[(dayEnd + 9)..];
        long fractionTicks = 0;
        if (!rest.IsEmpty && rest[0] == '.')
        {
            // Not in RFC 3164, but some daemons add fractions; keep them rather than reject the line.
            var scale = TimeSpan.TicksPerSecond;
            var i = 1;
            for (; i < rest.Length && WireText.IsDigit(rest[i]); i++)
            {
                scale /= 10;
                fractionTicks += (rest[i] - '0') * scale;
            }

            rest = rest[i..];
        }

        if (rest.IsEmpty || rest[0] != ' ')
        {
            return Fail(LogParseErrorCode.BadTimestamp, "RFC 3164 timestamp is not followed by a space", out error);
        }

        if (context.DefaultOffset.Duration() > TimeSpan.FromHours(14) || context.DefaultOffset.Ticks % TimeSpan.TicksPerMinute != 0
            || context.ReceivedAt.UtcDateTime.Year is < 2 or > 9998)
        {
            return Fail(LogParseErrorCode.BadTimestamp, "RFC 3164 needs a receive time and a whole-minute default offset in the context", out error);
        }

        var received = context.ReceivedAt.ToOffset(context.DefaultOffset);
        DateTimeOffset? best = null;
        for (var year = received.Year - 1; year <= received.Year + 1; year++)
        {
            if (WireText.TryCreate(year, month, day, hour, minute, second, fractionTicks, context.DefaultOffset, out var candidate)
                && (best is null || (candidate - received).Duration() < (best.Value - received).Duration()))
            {
                best = candidate;
            }
        }

        if (best is not { } timestamp)
        {
            return Fail(LogParseErrorCode.BadTimestamp, "RFC 3164 timestamp is not a valid date near the receive time", out error);
        }

        rest = rest[1..];
        var hostEnd = rest.IndexOf((byte)' ');
        var host = hostEnd < 0 ? rest : rest[..hostEnd];
        rest = hostEnd < 0 ? default : rest[(hostEnd + 1)..];

        string? service = null;
        Dictionary<string, string>? attributes = null;
        var tagEnd = rest.IndexOfAny(" :["u8);
        if (tagEnd > 0 && rest[tagEnd] != ' ')
        {
            var tag = rest[..tagEnd];
            var after = rest[tagEnd..];
            if (after[0] == '[')
            {
                var close = after.IndexOf((byte)']');
                if (close > 1 && close + 1 < after.Length && after[close + 1] == ':')
                {
                    attributes = new(AttributesCapacity) { [WireAttributes.Pid] = Utf8Interner.Get(after[1..close]) };
                    after = after[(close + 1)..];
                }
            }

            if (after[0] == ':')
            {
                service = Utf8Interner.Get(tag);
                rest = after[1..];
                if (!rest.IsEmpty && rest[0] == ' ')
                {
                    rest = rest[1..];
                }
            }
            else
            {
                attributes = null;
            }
        }

        return Build(timestamp, service, Utf8Interner.Get(host), WireText.FromSeverity(pri & 7), WireText.Utf8(rest), null, null, null, attributes, context, out result, out error);
    }

    /// <summary>Takes the next space-terminated header field; false when no space follows it.</summary>
    private static bool NextField(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> field)
    {
        var space = rest.IndexOf((byte)' ');
        if (space <= 0)
        {
            field = default;
            return false;
        }

        field = rest[..space];
        rest = rest[(space + 1)..];
        return true;
    }
}
