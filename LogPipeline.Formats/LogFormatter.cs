using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LogPipeline.Formats;

/// <summary>
/// Writes a <see cref="LogEvent"/> as one line in a real-world format; <see cref="LogParser"/> reads
/// every format back. What survives the trip:
/// <list type="table">
///   <listheader><term>Field</term><description>Json | Combined | Rfc5424 | Rfc3164 | Logfmt</description></listheader>
///   <item><term>Timestamp</term><description>ticks + offset | seconds + offset | µs + offset | seconds, wall time only (zone from context) | µs + offset</description></item>
///   <item><term>Service, Host</term><description>yes | no (context fallbacks) | APP-NAME, HOSTNAME | TAG, HOST | yes</description></item>
///   <item><term>Level</term><description>yes | derived from status (5xx error, 4xx warn, else info) | yes (trace in <c>[meta@32473 level]</c>) | severity only: trace reads back as debug | yes</description></item>
///   <item><term>Message</term><description>yes | the request line <c>GET /x HTTP/1.1</c> | yes | yes | yes</description></item>
///   <item><term>Http</term><description>yes | yes, duration rounded to ms | <c>[http@32473]</c>, duration to µs | no | yes, duration to µs</description></item>
///   <item><term>TraceId, SpanId</term><description>yes | no | <c>[trace@32473]</c> | no | yes</description></item>
///   <item><term>Attributes</term><description>yes | client_ip, referer, user_agent only | pid as PROCID, the rest in <c>[attr@32473]</c> | pid only, as TAG[PID] | yes</description></item>
/// </list>
/// Text formats throw <see cref="ArgumentException"/> for what they cannot represent rather than write a
/// line that parses back differently: Combined without <see cref="LogEvent.Http"/>, syslog hosts or
/// services with spaces, attribute keys that are not tokens or collide with a logfmt field.
/// </summary>
public static class LogFormatter
{
    internal static readonly string[] LogfmtReservedKeys =
    [
        "ts", "time", "timestamp", "level", "lvl", "service", "host", "msg", "message",
        "method", "path", "status", "duration_ms", "bytes", "trace_id", "span_id",
    ];

    public static string Format(LogEvent e, LogFormat format)
    {
        ArgumentNullException.ThrowIfNull(e);
        return format switch
        {
            LogFormat.Json => JsonSerializer.Serialize(e, WireJsonContext.Default.LogEvent),
            LogFormat.Combined => FormatCombined(e),
            LogFormat.Rfc5424 => FormatRfc5424(e),
            LogFormat.Rfc3164 => FormatRfc3164(e),
            LogFormat.Logfmt => FormatLogfmt(e),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown log format."),
        };
    }

    /// <summary>Whether <paramref name="format"/> can carry <paramref name="e"/> at all (only Combined is picky).</summary>
    public static bool CanCarry(LogEvent e, LogFormat format)
    {
        ArgumentNullException.ThrowIfNull(e);
        return format != LogFormat.Combined || e.Http is not null;
    }

    private static string FormatCombined(LogEvent e)
    {
        var http = e.Http ?? throw new ArgumentException("The combined format carries HTTP access events only.", nameof(e));
        ValidateHttp(http);
        var sb = new StringBuilder(256);
        sb.Append(Token(Attribute(e, WireAttributes.ClientIp), WireAttributes.ClientIp)).Append(" - - [");
        var t = e.Timestamp;
        var offset = t.Offset;
        sb.Append(CultureInfo.InvariantCulture, $"{t.Day:00}/{WireText.Months[t.Month - 1]}/{t.Year:0000}:{t.Hour:00}:{t.Minute:00}:{t.Second:00} ")
            .Append(offset < TimeSpan.Zero ? '-' : '+')
            .Append(CultureInfo.InvariantCulture, $"{Math.Abs(offset.Hours):00}{Math.Abs(offset.Minutes):00}] \"");
        AppendNginxEscaped(sb, http.Method);
        sb.Append(' ');
        AppendNginxEscaped(sb, http.Path);
        var ms = (long)Math.Round(http.DurationMs, MidpointRounding.AwayFromZero);
        sb.Append(CultureInfo.InvariantCulture, $" HTTP/1.1\" {http.Status} {http.Bytes} \"");
        AppendNginxEscaped(sb, Attribute(e, WireAttributes.Referer) ?? "-");
        sb.Append("\" \"");
        AppendNginxEscaped(sb, Attribute(e, WireAttributes.UserAgent) ?? "-");
        sb.Append(CultureInfo.InvariantCulture, $"\" {ms / 1000}.{ms % 1000:000}");
        return sb.ToString();

        static string Token(string? value, string name) => string.IsNullOrEmpty(value) ? "-"
            : value.AsSpan().IndexOfAny(' ', '"') < 0 ? value
            : throw new ArgumentException($"Attribute '{name}' must not contain spaces or quotes in the combined format.", nameof(e));
    }

    private static string FormatRfc5424(LogEvent e)
    {
        SyslogName(e.Host, 255, "host");
        SyslogName(e.Service, 48, "service");
        var sb = new StringBuilder(256);
        sb.Append(CultureInfo.InvariantCulture, $"<{(WireText.Facility * 8) + WireText.Severity(e.Level)}>1 ");
        WireText.AppendRfc3339(sb, WireText.TruncateToMicroseconds(e.Timestamp));
        var pid = Attribute(e, WireAttributes.Pid);
        sb.Append(' ').Append(e.Host).Append(' ').Append(e.Service).Append(' ')
            .Append(string.IsNullOrEmpty(pid) ? "-" : SyslogName(pid, 128, WireAttributes.Pid)).Append(" - ");
        var sdStart = sb.Length;
        if (e.Http is { } http)
        {
            ValidateHttp(http);
            sb.Append("[http").Append(WireText.EnterpriseSuffix);
            SdParam(sb, "method", http.Method);
            SdParam(sb, "path", http.Path);
            SdParam(sb, "status", http.Status.ToString(CultureInfo.InvariantCulture));
            SdParam(sb, "duration_ms", WireText.FormatMs(http.DurationMs));
            SdParam(sb, "bytes", http.Bytes.ToString(CultureInfo.InvariantCulture));
            sb.Append(']');
        }

        if (e.TraceId is not null || e.SpanId is not null)
        {
            sb.Append("[trace").Append(WireText.EnterpriseSuffix);
            if (e.TraceId is not null)
            {
                SdParam(sb, "trace_id", e.TraceId);
            }

            if (e.SpanId is not null)
            {
                SdParam(sb, "span_id", e.SpanId);
            }

            sb.Append(']');
        }

        if (e.Attributes is { Count: > 0 } attributes && (pid is null || attributes.Count > 1))
        {
            sb.Append("[attr").Append(WireText.EnterpriseSuffix);
            foreach (var (key, value) in attributes)
            {
                if (key != WireAttributes.Pid)
                {
                    if (key.Length is 0 or > 32 || key.AsSpan().ContainsAny(SdNameForbidden) || !Ascii.IsValid(key) || key.AsSpan().ContainsAnyInRange('\0', ' '))
                    {
                        throw new ArgumentException($"Attribute key '{key}' is not an RFC 5424 PARAM-NAME.", nameof(e));
                    }

                    SdParam(sb, key, value);
                }
            }

            sb.Append(']');
        }

        // Severity 7 is shared by debug and trace; only trace needs saying.
        if (e.Level == LogLevel.Trace)
        {
            sb.Append("[meta").Append(WireText.EnterpriseSuffix);
            SdParam(sb, "level", "trace");
            sb.Append(']');
        }

        if (sb.Length == sdStart)
        {
            sb.Append('-');
        }

        if (e.Message.Length > 0)
        {
            sb.Append(' ').Append(e.Message);
        }

        return sb.ToString();
    }

    private static string FormatRfc3164(LogEvent e)
    {
        SyslogName(e.Host, 255, "host");
        SyslogName(e.Service, 48, "service");
        if (e.Service.AsSpan().ContainsAny(":[]"))
        {
            throw new ArgumentException("An RFC 3164 TAG (the service) cannot contain ':', '[' or ']'.", nameof(e));
        }

        // No year and no zone on the wire: the wall time of the emitting host, as a BSD syslogd writes it.
        var t = e.Timestamp;
        var sb = new StringBuilder(256);
        sb.Append(CultureInfo.InvariantCulture, $"<{(WireText.Facility * 8) + WireText.Severity(e.Level)}>{WireText.Months[t.Month - 1]} {t.Day,2} {t.Hour:00}:{t.Minute:00}:{t.Second:00} ")
            .Append(e.Host).Append(' ').Append(e.Service);
        if (Attribute(e, WireAttributes.Pid) is { Length: > 0 } pid)
        {
            sb.Append('[').Append(SyslogName(pid, 128, WireAttributes.Pid)).Append(']');
        }

        return sb.Append(": ").Append(e.Message).ToString();
    }

    private static string FormatLogfmt(LogEvent e)
    {
        var sb = new StringBuilder(256);
        sb.Append("ts=");
        WireText.AppendRfc3339(sb, WireText.TruncateToMicroseconds(e.Timestamp));
        sb.Append(" level=").Append(e.Level.ToWire());
        LogfmtPair(sb, "service", e.Service);
        LogfmtPair(sb, "host", e.Host);
        LogfmtPair(sb, "msg", e.Message);
        if (e.Http is { } http)
        {
            ValidateHttp(http);
            LogfmtPair(sb, "method", http.Method);
            LogfmtPair(sb, "path", http.Path);
            sb.Append(CultureInfo.InvariantCulture, $" status={http.Status} duration_ms={WireText.FormatMs(http.DurationMs)} bytes={http.Bytes}");
        }

        if (e.TraceId is not null)
        {
            LogfmtPair(sb, "trace_id", e.TraceId);
        }

        if (e.SpanId is not null)
        {
            LogfmtPair(sb, "span_id", e.SpanId);
        }

        if (e.Attributes is not null)
        {
            foreach (var (key, value) in e.Attributes)
            {
                if (key.Length == 0 || key.AsSpan().ContainsAny(" =\"\\") || key.AsSpan().ContainsAnyInRange('\0', '\x1f') || LogfmtReservedKeys.Contains(key))
                {
                    throw new ArgumentException($"Attribute key '{key}' cannot be a logfmt key (not a token, or taken by a field).", nameof(e));
                }

                LogfmtPair(sb, key, value);
            }
        }

        return sb.ToString();
    }

    private static readonly System.Buffers.SearchValues<char> SdNameForbidden = System.Buffers.SearchValues.Create("=]\"");

    private static void SdParam(StringBuilder sb, string name, string value)
    {
        sb.Append(' ').Append(name).Append("=\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\' or ']')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        sb.Append('"');
    }

    private static void LogfmtPair(StringBuilder sb, string key, string value)
    {
        sb.Append(' ').Append(key).Append('=');
        var quote = value.Length == 0 || value.AsSpan().ContainsAny(" =\"\\") || value.AsSpan().ContainsAnyInRange('\0', '\x1f') || value.Contains('\x7f', StringComparison.Ordinal);
        if (!quote)
        {
            sb.Append(value);
            return;
        }

        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case < ' ' or '\x7f': sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"); break;
                default: sb.Append(c); break;
            }
        }

        sb.Append('"');
    }

    /// <summary>nginx's default <c>escape=default</c>: quote, backslash and control characters as \xHH.</summary>
    private static void AppendNginxEscaped(StringBuilder sb, string value)
    {
        foreach (var c in value)
        {
            if (c is '"' or '\\' or < ' ' or '\x7f')
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            }
            else
            {
                sb.Append(c);
            }
        }
    }

    private static string SyslogName(string value, int maxLength, string what)
        => value.Length > 0 && value.Length <= maxLength && Ascii.IsValid(value) && !value.AsSpan().ContainsAnyInRange('\0', ' ') && !value.Contains('\x7f', StringComparison.Ordinal)
            ? value
            : throw new ArgumentException($"The {what} '{value}' is not 1-{maxLength} printable ASCII characters, as syslog requires.", what);

    private static void ValidateHttp(HttpInfo http)
    {
        if (!WireText.IsValidStatus(http.Status) || !double.IsFinite(http.DurationMs) || http.DurationMs < 0 || http.Bytes < 0
            || http.Method.Length == 0 || http.Method.AsSpan().ContainsAnyInRange('\0', ' '))
        {
            throw new ArgumentException($"HTTP fields out of range for a text format: {http}.", nameof(http));
        }
    }

    private static string? Attribute(LogEvent e, string key)
        => e.Attributes is not null && e.Attributes.TryGetValue(key, out var value) ? value : null;
}
