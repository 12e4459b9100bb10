using System.Globalization;
using System.Text;

namespace LogPipeline.Chaos;

/// <summary>The poison records of a run: every <see cref="PoisonKind"/> in turn, each record different.</summary>
public static class PoisonCorpus
{
    public static readonly PoisonKind[] Kinds = Enum.GetValues<PoisonKind>();

    private const int TwoMegabytes = 2 * 1024 * 1024;

    /// <summary>The <paramref name="n"/>-th poison record (its kind is <c>Kinds[n % Kinds.Length]</c>).</summary>
    public static (PoisonKind Kind, byte[] Value) Record(int n, DateTimeOffset now)
    {
        var kind = Kinds[n % Kinds.Length];
        return (kind, Value(kind, n, now.ToString("O", CultureInfo.InvariantCulture)));
    }

    private static byte[] Value(PoisonKind kind, int n, string ts) => kind switch
        {
            PoisonKind.InvalidUtf8 => InvalidUtf8(Utf8($"{{\"v\":1,\"timestamp\":\"{ts}\",\"service\":\"chaos\",\"host\":\"h\",\"level\":\"info\",\"message\":\"bad bytes "), Utf8($" #{n}\"}}")),
            PoisonKind.Empty => [],

            // Text, so that it compresses: random 2 MB values would fill the embedded cluster's 5 MiB
            // partitions and make it drop valid events (a random one is in ProcessorPoisonTests).
            PoisonKind.TwoMegabytes => Padded(Utf8($"{{\"v\":1,\"timestamp\":\"{ts}\",\"service\":\"chaos\",\"host\":\"h\",\"level\":\"info\",\"message\":\"#{n} "), TwoMegabytes),
            PoisonKind.WrongJsonTypes => Utf8((n / Kinds.Length % 4) switch
            {
                0 => $"{{\"v\":\"1\",\"timestamp\":\"{ts}\",\"service\":\"chaos\",\"host\":\"h\",\"level\":\"info\",\"message\":\"#{n}\"}}",
                1 => $"{{\"v\":1,\"timestamp\":{n},\"service\":\"chaos\",\"host\":\"h\",\"level\":\"info\",\"message\":\"#{n}\"}}",
                2 => $"{{\"v\":1,\"timestamp\":\"{ts}\",\"service\":\"chaos\",\"host\":\"h\",\"level\":7,\"message\":\"#{n}\"}}",
                _ => $"{{\"v\":1,\"timestamp\":\"{ts}\",\"service\":[\"chaos\"],\"host\":{{}},\"level\":\"info\",\"message\":{n}}}",
            }),

            // No service and no host, and (like every poison record) no key or host header to fall back on.
            PoisonKind.MissingFields => Utf8($"{{\"v\":1,\"timestamp\":\"{ts}\",\"level\":\"info\",\"message\":\"who sent this #{n}\"}}"),
            PoisonKind.Year1970 => Utf8($"{{\"v\":1,\"timestamp\":\"1970-01-01T00:00:00+00:00\",\"service\":\"chaos\",\"host\":\"h\",\"level\":\"info\",\"message\":\"epoch #{n}\"}}"),
            PoisonKind.Year2999 => Utf8($"{{\"v\":1,\"timestamp\":\"2999-12-31T23:59:59+00:00\",\"service\":\"chaos\",\"host\":\"h\",\"level\":\"info\",\"message\":\"far future #{n}\"}}"),
            PoisonKind.Binary => Binary(n),
            PoisonKind.DeepNesting => Utf8($"{{\"v\":1,\"n\":{n},\"a\":{new string('[', 10_000)}{new string(']', 10_000)}}}"),
            PoisonKind.UnknownFormat => Utf8((n / Kinds.Length % 4) switch
            {
                0 => $"this is not a log line at all #{n}",
                1 => $"<event><id>{n}</id><text>xml is not a log format here</text></event>",
                2 => $"{n};semicolon;separated;values;with;no;meaning",
                _ => $"\t\t   #{n}   ",
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

    /// <summary>A JSON line with a broken two-byte sequence and a byte that is never UTF-8 in its message.</summary>
    private static byte[] InvalidUtf8(byte[] head, byte[] tail) => [.. head, 0xC3, 0x28, 0xFF, .. tail];

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] Padded(byte[] head, int size)
    {
        var value = new byte[size];
        head.CopyTo(value, 0);
        value.AsSpan(head.Length, size - head.Length - 2).Fill((byte)'x');
        value[^2] = (byte)'"';
        value[^1] = (byte)'}';
        return value;
    }

    /// <summary>Random bytes, led by a NUL and a byte that is never UTF-8, 64 to 4,096 long.</summary>
    private static byte[] Binary(int n)
    {
        var random = new Random(n);
        var value = new byte[random.Next(64, 4097)];
        random.NextBytes(value);
        value[0] = 0x00;
        value[1] = 0xFF;
        return value;
    }
}
