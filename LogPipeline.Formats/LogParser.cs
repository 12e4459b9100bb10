using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace LogPipeline.Formats;

/// <summary>
/// Reads one line in any <see cref="LogFormat"/> back into a <see cref="LogEvent"/>, detecting the
/// format from the line itself. Never throws for bad input: every rejection carries a
/// <see cref="LogParseError"/> whose code can go into a dead-letter header.
/// </summary>
public static partial class LogParser
{
    // Lines carry a handful of attributes: room for them at once instead of growing the map 3 -> 7.
    private const int AttributesCapacity = 6;

    /// <inheritdoc cref="TryParse(ReadOnlySpan{byte}, in LogParseContext, out LogEvent?, out LogFormat?, out LogParseError)"/>
    public static bool TryParse(ReadOnlySpan<byte> utf8Line, in LogParseContext context, [NotNullWhen(true)] out LogEvent? result, out LogParseError error)
        => TryParse(utf8Line, context, out result, out _, out error);

    /// <summary>Parses a line already decoded to a string (tests, tools); the hot path takes bytes.</summary>
    public static bool TryParse(string line, in LogParseContext context, [NotNullWhen(true)] out LogEvent? result, out LogFormat? format, out LogParseError error)
    {
        ArgumentNullException.ThrowIfNull(line);
        byte[]? rented = null;
        var max = Encoding.UTF8.GetMaxByteCount(line.Length);
        Span<byte> buffer = max <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            // Lone surrogates in the string become U+FFFD here, so the bytes are always valid UTF-8.
            var length = Encoding.UTF8.GetBytes(line, buffer);
            return TryParse(buffer[..length], context, out result, out format, out error);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Parses one line (a trailing CR/LF and a leading UTF-8 BOM are ignored).
    /// </summary>
    /// <param name="utf8Line">The raw bytes, e.g. a Kafka message value.</param>
    /// <param name="context">Fallbacks and limits for what the line does not carry.</param>
    /// <param name="result">The event, when the line parsed.</param>
    /// <param name="format">The detected format, or null when no format was recognised.</param>
    /// <param name="error">Why the line was rejected; <c>default</c> on success.</param>
    public static bool TryParse(ReadOnlySpan<byte> utf8Line, in LogParseContext context, [NotNullWhen(true)] out LogEvent? result, out LogFormat? format, out LogParseError error)
    {
        result = null;
        format = null;
        if (utf8Line.Length > context.EffectiveMaxLineBytes)
        {
            return Fail(LogParseErrorCode.TooLong, $"line is {utf8Line.Length} bytes, over the {context.EffectiveMaxLineBytes}-byte limit", out error);
        }

        if (!Utf8.IsValid(utf8Line))
        {
            return Fail(LogParseErrorCode.InvalidUtf8, "line is not valid UTF-8", out error);
        }

        var line = utf8Line;
        if (line.StartsWith("\uFEFF"u8))
        {
            line = line[3..];
        }

        line = line.TrimEnd("\r\n"u8);
        var trimmed = line.TrimStart(" \t"u8);
        if (trimmed.TrimEnd(" \t"u8).IsEmpty)
        {
            return Fail(LogParseErrorCode.Empty, "line is empty", out error);
        }

        if (trimmed[0] == '{')
        {
            format = LogFormat.Json;
            return TryParseJson(trimmed, context, out result, out error);
        }

        if (line[0] == '<')
        {
            if (!TryParsePri(line, out var pri, out var rest))
            {
                return Fail(LogParseErrorCode.UnknownFormat, "line starts with '<' but has no syslog PRI", out error);
            }

            if (!rest.IsEmpty && WireText.IsDigit(rest[0]))
            {
                format = LogFormat.Rfc5424;
                var space = rest.IndexOf((byte)' ');
                if (space < 0 || !rest[..space].SequenceEqual("1"u8))
                {
                    return Fail(LogParseErrorCode.UnsupportedVersion, "syslog version is not 1", out error);
                }

                return TryParseRfc5424(pri, rest[(space + 1)..], context, out result, out error);
            }

            if (!rest.IsEmpty && char.IsAsciiLetter((char)rest[0]))
            {
                format = LogFormat.Rfc3164;
                return TryParseRfc3164(pri, rest, context, out result, out error);
            }

            return Fail(LogParseErrorCode.UnknownFormat, "syslog PRI is followed by neither a version nor a month", out error);
        }

        if (LooksCombined(line))
        {
            format = LogFormat.Combined;
            return TryParseCombined(line, context, out result, out error);
        }

        return TryParseLogfmt(line, context, out result, out format, out error);
    }

    private static bool Fail(LogParseErrorCode code, string message, out LogParseError error)
    {
        error = new LogParseError(code, message);
        return false;
    }

    private static bool Fail(LogParseErrorCode code, string message, out LogEvent? result, out LogParseError error)
    {
        result = null;
        return Fail(code, message, out error);
    }

    /// <summary>The common tail of every format: fallbacks, then the fields every event must have.</summary>
    private static bool Build(
        DateTimeOffset timestamp,
        string? service,
        string? host,
        LogLevel level,
        string message,
        HttpInfo? http,
        string? traceId,
        string? spanId,
        Dictionary<string, string>? attributes,
        in LogParseContext context,
        [NotNullWhen(true)] out LogEvent? result,
        out LogParseError error)
    {
        service = string.IsNullOrEmpty(service) ? context.FallbackService : service;
        host = string.IsNullOrEmpty(host) ? context.FallbackHost : host;
        if (string.IsNullOrEmpty(service))
        {
            return Fail(LogParseErrorCode.MissingField, "no service in the line and no fallback service", out result, out error);
        }

        if (string.IsNullOrEmpty(host))
        {
            return Fail(LogParseErrorCode.MissingField, "no host in the line and no fallback host", out result, out error);
        }

        result = new LogEvent
        {
            Timestamp = timestamp,
            Service = service,
            Host = host,
            Level = level,
            Message = message,
            Http = http,
            TraceId = traceId,
            SpanId = spanId,
            Attributes = attributes,
        };
        error = default;
        return true;
    }

    private static bool TryParsePri(ReadOnlySpan<byte> line, out int pri, out ReadOnlySpan<byte> rest)
    {
        pri = 0;
        rest = default;
        var close = line[..Math.Min(line.Length, 5)].IndexOf((byte)'>');
        if (close < 2 || !WireText.Digits(line, 1, close - 1, out pri) || pri > 191)
        {
            return false;
        }

        rest = line[(close + 1)..];
        return true;
    }

    private enum Escapes
    {
        /// <summary>RFC 5424 PARAM-VALUE: <c>\"</c>, <c>\\</c>, <c>\]</c>; any other backslash is literal.</summary>
        Sd,

        /// <summary>logfmt quoted values: <c>\" \\ \n \r \t \uXXXX</c>.</summary>
        Logfmt,

        /// <summary>nginx <c>\xHH</c> bytes, and Apache's <c>\"</c> and <c>\\</c>.</summary>
        Nginx,
    }

    /// <summary>Decodes an escaped value; false only when nginx byte escapes spell invalid UTF-8.</summary>
    private static bool TryUnescape(ReadOnlySpan<byte> raw, Escapes kind, [NotNullWhen(true)] out string? value)
    {
        if (raw.IndexOf((byte)'\\') < 0)
        {
            value = WireText.Utf8(raw);
            return true;
        }

        byte[]? rented = null;
        Span<byte> buffer = raw.Length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
        try
        {
            var n = 0;
            for (var i = 0; i < raw.Length; i++)
            {
                var b = raw[i];
                if (b != '\\' || i + 1 == raw.Length)
                {
                    buffer[n++] = b;
                    continue;
                }

                var next = raw[i + 1];
                switch (kind)
                {
                    case Escapes.Sd when next is (byte)'"' or (byte)'\\' or (byte)']':
                    case Escapes.Logfmt when next is (byte)'"' or (byte)'\\':
                    case Escapes.Nginx when next is (byte)'"' or (byte)'\\':
                        buffer[n++] = next;
                        i++;
                        break;
                    case Escapes.Logfmt when next is (byte)'n' or (byte)'r' or (byte)'t':
                        buffer[n++] = next switch { (byte)'n' => (byte)'\n', (byte)'r' => (byte)'\r', _ => (byte)'\t' };
                        i++;
                        break;
                    case Escapes.Logfmt when next == 'u' && i + 5 < raw.Length
                        && int.TryParse(raw.Slice(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
                        && Rune.TryCreate(code, out var rune):
                        n += rune.EncodeToUtf8(buffer[n..]);
                        i += 5;
                        break;
                    case Escapes.Nginx when next == 'x' && i + 3 < raw.Length
                        && byte.TryParse(raw.Slice(i + 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var octet):
                        buffer[n++] = octet;
                        i += 3;
                        break;
                    default:
                        buffer[n++] = b;
                        break;
                }
            }

            var decoded = buffer[..n];
            value = Utf8.IsValid(decoded) ? WireText.Utf8(decoded) : null;
            return value is not null;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Index of the quote closing a value that starts after an opening quote, honouring backslash escapes.</summary>
    private static int ClosingQuote(ReadOnlySpan<byte> s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\')
            {
                i++;
            }
            else if (s[i] == '"')
            {
                return i;
            }
        }

        return -1;
    }

    private static bool TryHttp(string? method, string? path, int? status, double? durationMs, long? bytes, out HttpInfo? http, out LogParseError error)
    {
        http = null;
        error = default;
        if (method is null && path is null && status is null && durationMs is null && bytes is null)
        {
            return true;
        }

        if (string.IsNullOrEmpty(method) || string.IsNullOrEmpty(path) || status is not { } s)
        {
            return Fail(LogParseErrorCode.BadHttp, "HTTP fields need method, path and status", out error);
        }

        if (!WireText.IsValidStatus(s))
        {
            return Fail(LogParseErrorCode.BadHttp, $"HTTP status {s} is outside 100-599", out error);
        }

        if (durationMs is < 0 || bytes is < 0)
        {
            return Fail(LogParseErrorCode.BadHttp, "HTTP duration and bytes cannot be negative", out error);
        }

        http = new HttpInfo { Method = method, Path = path, Status = s, DurationMs = durationMs ?? 0, Bytes = bytes ?? 0 };
        return true;
    }
}
