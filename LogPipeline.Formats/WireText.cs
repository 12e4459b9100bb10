using System.Globalization;
using System.Text;

namespace LogPipeline.Formats;

/// <summary>Pieces shared by <see cref="LogFormatter"/> and <see cref="LogParser"/>, so both directions agree.</summary>
internal static class WireText
{
    /// <summary>local0: the facility conventionally left to applications.</summary>
    public const int Facility = 16;

    /// <summary>IANA's example enterprise number, used by RFC 5424 itself; our SD-IDs are <c>name@32473</c>.</summary>
    public const string EnterpriseSuffix = "@32473";

    public static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string ToWire(this LogLevel level) => level is >= LogLevel.Trace and <= LogLevel.Fatal
        ? LogLevelNames.Name(level)
        : throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown log level.");

    public static int Severity(LogLevel level) => level switch
    {
        LogLevel.Fatal => 2,
        LogLevel.Error => 3,
        LogLevel.Warn => 4,
        LogLevel.Info => 6,
        LogLevel.Debug or LogLevel.Trace => 7,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown log level."),
    };

    public static LogLevel FromSeverity(int severity) => severity switch
    {
        <= 2 => LogLevel.Fatal,
        3 => LogLevel.Error,
        4 => LogLevel.Warn,
        5 or 6 => LogLevel.Info,
        _ => LogLevel.Debug,
    };

    /// <summary>Case-insensitive, with the aliases other loggers use (syslog names, log4j, .NET, Python).</summary>
    public static bool TryParseLevel(ReadOnlySpan<byte> s, out LogLevel level)
    {
        level = s.Length switch
        {
            1 => s[0] switch
            {
                (byte)'T' or (byte)'t' => LogLevel.Trace,
                (byte)'D' or (byte)'d' => LogLevel.Debug,
                (byte)'I' or (byte)'i' => LogLevel.Info,
                (byte)'W' or (byte)'w' => LogLevel.Warn,
                (byte)'E' or (byte)'e' => LogLevel.Error,
                (byte)'F' or (byte)'f' or (byte)'C' or (byte)'c' => LogLevel.Fatal,
                _ => (LogLevel)(-1),
            },
            _ when Is(s, "info"u8) || Is(s, "information"u8) || Is(s, "informational"u8) || Is(s, "notice"u8) || Is(s, "inf"u8) => LogLevel.Info,
            _ when Is(s, "warn"u8) || Is(s, "warning"u8) || Is(s, "wrn"u8) => LogLevel.Warn,
            _ when Is(s, "error"u8) || Is(s, "err"u8) || Is(s, "eror"u8) || Is(s, "severe"u8) => LogLevel.Error,
            _ when Is(s, "debug"u8) || Is(s, "dbg"u8) || Is(s, "fine"u8) => LogLevel.Debug,
            _ when Is(s, "trace"u8) || Is(s, "trc"u8) || Is(s, "verbose"u8) || Is(s, "finest"u8) => LogLevel.Trace,
            _ when Is(s, "fatal"u8) || Is(s, "critical"u8) || Is(s, "crit"u8) || Is(s, "emerg"u8) || Is(s, "emergency"u8)
                || Is(s, "alert"u8) || Is(s, "panic"u8) || Is(s, "ftl"u8) => LogLevel.Fatal,
            _ => (LogLevel)(-1),
        };
        return level >= LogLevel.Trace;

        static bool Is(ReadOnlySpan<byte> s, ReadOnlySpan<byte> name) => Ascii.EqualsIgnoreCase(s, name);
    }

    /// <summary>Microsecond precision: the tick digit below is cut, never rounded, so a reparse never moves forward.</summary>
    public static DateTimeOffset TruncateToMicroseconds(DateTimeOffset t) => t.AddTicks(-(t.Ticks % 10));

    public static DateTimeOffset TruncateToSeconds(DateTimeOffset t) => t.AddTicks(-(t.Ticks % TimeSpan.TicksPerSecond));

    public static void AppendRfc3339(StringBuilder sb, DateTimeOffset t)
        => sb.Append(t.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffffzzz", CultureInfo.InvariantCulture));

    /// <summary>Durations travel as milliseconds with three decimals (microseconds), rounded half away from zero.</summary>
    public static string FormatMs(double ms)
        => Math.Round(ms, 3, MidpointRounding.AwayFromZero).ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>
    /// RFC 3339 with a mandatory offset (Z or ±hh:mm), 'T', 't' or a space between date and time, and
    /// any number of fraction digits (beyond ticks they are cut).
    /// </summary>
    public static bool TryParseRfc3339(ReadOnlySpan<byte> s, out DateTimeOffset value)
    {
        value = default;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':'
            || !Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second))
        {
            return false;
        }

        var i = 19;
        long fractionTicks = 0;
        if (s[i] == '.')
        {
            i++;
            var start = i;
            var scale = TimeSpan.TicksPerSecond;
            while (i < s.Length && IsDigit(s[i]))
            {
                scale /= 10;
                fractionTicks += (s[i] - '0') * scale;
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        if (i >= s.Length)
        {
            return false;
        }

        TimeSpan offset;
        if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.Length)
        {
            offset = TimeSpan.Zero;
        }
        else if ((s[i] == '+' || s[i] == '-') && i + 6 == s.Length && s[i + 3] == ':'
            && Digits(s, i + 1, 2, out var oh) && Digits(s, i + 4, 2, out var om) && oh <= 14 && om < 60)
        {
            offset = new TimeSpan(oh, om, 0);
            if (s[i] == '-')
            {
                offset = -offset;
            }
        }
        else
        {
            return false;
        }

        return TryCreate(year, month, day, hour, minute, second, fractionTicks, offset, out value);
    }

    public static bool TryCreate(int year, int month, int day, int hour, int minute, int second, long fractionTicks, TimeSpan offset, out DateTimeOffset value)
    {
        value = default;
        if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59 || offset.Duration() > TimeSpan.FromHours(14) || offset.Ticks % TimeSpan.TicksPerMinute != 0)
        {
            return false;
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fractionTicks);
        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        value = new DateTimeOffset(local, offset);
        return true;
    }

    public static bool Digits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            if (!IsDigit(s[i]))
            {
                return false;
            }

            value = (value * 10) + (s[i] - '0');
        }

        return true;
    }

    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    public static int MonthIndex(ReadOnlySpan<byte> s)
    {
        if (s.Length != 3)
        {
            return 0;
        }

        for (var m = 0; m < 12; m++)
        {
            if (Ascii.EqualsIgnoreCase(s, Months[m]))
            {
                return m + 1;
            }
        }

        return 0;
    }

    public static bool TryParseInt(ReadOnlySpan<byte> s, out int value)
        => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    public static bool TryParseLong(ReadOnlySpan<byte> s, out long value)
        => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    public static bool TryParseDuration(ReadOnlySpan<byte> s, out double value)
        => double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    public static string Utf8(ReadOnlySpan<byte> s) => s.IsEmpty ? string.Empty : Encoding.UTF8.GetString(s);

    public static bool IsValidStatus(int status) => status is >= 100 and <= 599;
}
