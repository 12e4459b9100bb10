using System.Text;

namespace LogPipeline.Formats;

/// <summary>
/// Decodes short UTF-8 values that repeat from line to line (service and host names, HTTP methods,
/// attribute keys, the Kafka key and host header) to one shared string each, instead of a new string
/// per record: at tens of thousands of records a second those strings were a good part of what the
/// garbage collector had to clear.
/// </summary>
/// <remarks>
/// A fixed table of <see cref="Slots"/> immutable entries, indexed by a hash of the bytes: a hit costs
/// a hash and a byte comparison, a miss decodes as usual and takes the slot. Threads race only to
/// replace a reference, which is atomic, so no lock; values that never repeat just keep replacing
/// each other, and memory stays bounded whatever the input.
/// </remarks>
public static class Utf8Interner
{
    /// <summary>Longer values are decoded every time: names are short, and long values rarely repeat.</summary>
    public const int MaxLength = 64;

    private const int Slots = 4096;

    private static readonly Entry?[] Table = new Entry?[Slots];

    /// <summary>The string for <paramref name="utf8"/>, which must be valid UTF-8 (invalid bytes become U+FFFD, as with <see cref="Encoding.UTF8"/>).</summary>
    public static string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        if (utf8.Length > MaxLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var hash = new HashCode();
        hash.AddBytes(utf8);
        ref var slot = ref Table[hash.ToHashCode() & (Slots - 1)];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && utf8.SequenceEqual(entry.Utf8))
        {
            return entry.Value;
        }

        var value = Encoding.UTF8.GetString(utf8);
        Volatile.Write(ref slot, new Entry(utf8.ToArray(), value));
        return value;
    }

    private sealed record Entry(byte[] Utf8, string Value);
}
