using System.Buffers;
using System.IO.Compression;

namespace LogPipeline.Ingest;

/// <summary>
/// A request body read into a pooled buffer, inflated when gzip, and never beyond the limit: reading
/// stops at the first byte past it, so a gzip bomb costs at most the limit, not what it would inflate to.
/// </summary>
public sealed class RequestBody : IDisposable
{
    private byte[] _buffer;

    private RequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public static async Task<(RequestBody? Body, BodyProblem Problem)> ReadAsync(Stream body, long? contentLength, bool gzip, int maxBytes, CancellationToken cancellationToken)
    {
        // A compressed body over the limit can only inflate to more: refuse it before reading.
        if (contentLength > maxBytes)
        {
            return (null, BodyProblem.TooLarge);
        }

        var initial = (int)Math.Min(maxBytes + 1L, gzip ? Math.Max(4096, (contentLength ?? 4096) * 4) : contentLength + 1 ?? 16 * 1024);
        var rented = ArrayPool<byte>.Shared.Rent(initial);
        var length = 0;
        var source = gzip ? new GZipStream(body, CompressionMode.Decompress, leaveOpen: true) : body;
        try
        {
            while (true)
            {
                if (length == rented.Length)
                {
                    if (length > maxBytes)
                    {
                        ArrayPool<byte>.Shared.Return(rented);
                        return (null, BodyProblem.TooLarge);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes + 1L, rented.Length * 2L));
                    rented.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(rented);
                    rented = larger;
                }

                var read = await source.ReadAsync(rented.AsMemory(length, Math.Min(rented.Length, maxBytes + 1) - length), cancellationToken);
                if (read == 0)
                {
                    return (new RequestBody(rented, length), BodyProblem.None);
                }

                length += read;
                if (length > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                    return (null, BodyProblem.TooLarge);
                }
            }
        }
        catch (InvalidDataException)
        {
            ArrayPool<byte>.Shared.Return(rented);
            return (null, BodyProblem.BadGzip);
        }
        finally
        {
            if (gzip)
            {
                await source.DisposeAsync();
            }
        }
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
