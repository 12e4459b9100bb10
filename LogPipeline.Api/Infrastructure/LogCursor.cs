using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace LogPipeline.Api.Infrastructure;

/// <summary>
/// The opaque keyset cursor of <c>/api/logs</c>: the (timestamp, id) of the last row of a page,
/// base64url-encoded with a version byte and a checksum, so an edited or truncated cursor is
/// rejected instead of silently paging from somewhere else.
/// </summary>
/// <remarks>
/// The checksum has no secret: it detects tampering, it does not authenticate. A forged cursor can
/// only move the page start within the caller's own query, so there is nothing to protect.
/// </remarks>
internal static class LogCursor
{
    private const byte Version = 1;
    private const int PayloadLength = 1 + 8 + 8;
    private const int ChecksumLength = 4;

    public static string Encode(DateTime timestampUtc, long id)
    {
        Span<byte> bytes = stackalloc byte[PayloadLength + ChecksumLength];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], timestampUtc.Ticks);
        BinaryPrimitives.WriteInt64BigEndian(bytes[9..], id);
        Checksum(bytes[..PayloadLength], bytes[PayloadLength..]);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryDecode(string text, out DateTime timestampUtc, out long id)
    {
        timestampUtc = default;
        id = 0;
        Span<byte> bytes = stackalloc byte[PayloadLength + ChecksumLength + 1];
        // TryDecodeFromChars throws on text that is not base64url at all ("a", "!!!!"); IsValid does not.
        if (text.Length > 64
            || !Base64Url.IsValid(text, out var length) || length != PayloadLength + ChecksumLength
            || !Base64Url.TryDecodeFromChars(text, bytes, out var written) || written != length || bytes[0] != Version)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[ChecksumLength];
        Checksum(bytes[..PayloadLength], expected);
        if (!expected.SequenceEqual(bytes[PayloadLength..(PayloadLength + ChecksumLength)]))
        {
            return false;
        }

        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        id = BinaryPrimitives.ReadInt64BigEndian(bytes[9..]);
        if (ticks is < 0 or > 3155378975999999999L || id < 0) // DateTime.MaxValue.Ticks
        {
            return false;
        }

        timestampUtc = new DateTime(ticks, DateTimeKind.Utc);
        return true;
    }

    private static void Checksum(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(payload, hash);
        hash[..ChecksumLength].CopyTo(destination);
    }
}
