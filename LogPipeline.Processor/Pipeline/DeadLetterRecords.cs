using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LogPipeline.Data;

namespace LogPipeline.Processor.Pipeline;

/// <summary>
/// What a rejected record becomes: its row in the store's <c>dead_letters</c> (written with its batch,
/// so exactly once) and the stable key of its copy on the dead-letter topic.
/// </summary>
public static class DeadLetterRecords
{
    /// <summary>Keys and host names are short in any sane stream; a hostile one is cut to this many UTF-8 bytes.</summary>
    public const int MaxKeyAndHostBytes = 1024;

    /// <summary>
    /// The dead letter's key on the topic: its source position, the same however often a crash makes
    /// the processor publish it again, so a compacted topic keeps one. The sender's key is in a header.
    /// </summary>
    public static string TopicKey(KafkaRecord source) =>
        string.Create(CultureInfo.InvariantCulture, $"{source.Topic}/{source.Partition}/{source.Offset}");

    public static DeadLetterRow Row(KafkaRecord source, Rejection rejection, DateTime deadLetteredAtUtc) => new()
    {
        SourceTopic = source.Topic,
        SourcePartition = source.Partition,
        SourceOffset = source.Offset,
        // Reason and detail are cut to their columns by the store, which cuts every value it writes.
        Reason = rejection.Reason,
        Detail = rejection.Detail,
        RecordKey = CutUtf8(source.Key, MaxKeyAndHostBytes),
        Host = CutUtf8(source.Host, MaxKeyAndHostBytes),
        ValueSize = source.Value.Length,
        ValueSha256 = Convert.ToHexStringLower(SHA256.HashData(source.Value)),
        Preview = Preview(source.Value),
        RecordTimeUtc = source.Timestamp.UtcDateTime,
        DeadLetteredAtUtc = deadLetteredAtUtc,
    };

    /// <summary>
    /// The value's start as text a person can read in a table cell: invalid UTF-8 becomes U+FFFD and
    /// control characters (NUL, escape, ...) their Unicode symbols (␀, ␛), so nothing in a preview
    /// can disturb a terminal or a page, and a binary record still shows its shape.
    /// </summary>
    public static string Preview(ReadOnlySpan<byte> value)
    {
        const int max = StoreLimits.DeadLetterPreviewLength;
        var text = Encoding.UTF8.GetString(value[..Math.Min(value.Length, max * 4)]);
        var builder = new StringBuilder(Math.Min(text.Length, max));
        foreach (var c in text)
        {
            if (builder.Length == max)
            {
                break;
            }

            builder.Append(c switch
            {
                < ' ' => (char)(0x2400 + c),
                '\u007F' => '\u2421',
                _ => c,
            });
        }

        // Never end on half a surrogate pair: MariaDB's utf8mb4 and JSON both refuse a lone one.
        if (builder.Length > 0 && char.IsHighSurrogate(builder[^1]))
        {
            builder.Length--;
        }

        return builder.ToString();
    }

    /// <summary>The longest start of <paramref name="text"/> whose UTF-8 fits <paramref name="maxBytes"/>, not splitting a character.</summary>
    public static string? CutUtf8(string? text, int maxBytes)
    {
        if (text is null || text.Length <= maxBytes / 4 || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        var bytes = 0;
        var i = 0;
        while (i < text.Length)
        {
            var width = char.IsSurrogatePair(text, i) ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(text.AsSpan(i, width));
            if (bytes + size > maxBytes)
            {
                break;
            }

            bytes += size;
            i += width;
        }

        return text[..i];
    }
}
