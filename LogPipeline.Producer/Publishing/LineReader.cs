using System.Runtime.CompilerServices;

namespace LogPipeline.Producer.Publishing;

/// <summary>
/// Reads a log file line by line as raw bytes: a replay sends lines unchanged, so nothing is
/// decoded (a line with invalid UTF-8 reaches Kafka as it is, and the processor dead-letters it).
/// The line terminator (LF or CRLF) is not part of the line; blank lines are skipped.
/// </summary>
public static class LineReader
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>
    /// Yields the lines of <paramref name="path"/>. With <paramref name="follow"/> it then keeps
    /// polling for appended lines like <c>tail -F</c>: a truncated or replaced (rotated) file is read
    /// again from its start, and a last line without a terminator waits until it is complete.
    /// </summary>
    public static async IAsyncEnumerable<byte[]> ReadLinesAsync(
        string path, bool follow, TimeSpan pollInterval, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var chunk = new byte[ChunkSize];
        var partial = new MemoryStream();
        var stream = Open(path);
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(chunk, cancellationToken);
                if (read > 0)
                {
                    var start = 0;
                    for (var i = 0; i < read; i++)
                    {
                        if (chunk[i] != (byte)'\n')
                        {
                            continue;
                        }

                        byte[] line;
                        if (partial.Length > 0)
                        {
                            partial.Write(chunk, start, i - start);
                            line = partial.ToArray();
                            partial.SetLength(0);
                        }
                        else
                        {
                            line = chunk.AsSpan(start, i - start).ToArray();
                        }

                        start = i + 1;
                        if (TrimCarriageReturn(ref line))
                        {
                            yield return line;
                        }
                    }

                    partial.Write(chunk, start, read - start);
                    continue;
                }

                if (!follow)
                {
                    var last = partial.ToArray();
                    if (TrimCarriageReturn(ref last))
                    {
                        yield return last;
                    }

                    yield break;
                }

                await Task.Delay(pollInterval, cancellationToken);
                if (Replaced(path, stream))
                {
                    await stream.DisposeAsync();
                    partial.SetLength(0);
                    stream = Open(path);
                }
            }
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }

    /// <summary>The files a replay path names: the file itself, or a folder's files in name order.</summary>
    public static IReadOnlyList<string> FilesOf(string path) =>
        Directory.Exists(path)
            ? Directory.GetFiles(path).Order(StringComparer.Ordinal).ToArray()
            : [path];

    private static FileStream Open(string path) =>
        new(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        });

    // Truncated in place (shorter than what we read) or rotated (the path now names another, longer file).
    private static bool Replaced(string path, FileStream stream)
    {
        var info = new FileInfo(path);
        return info.Exists && (info.Length < stream.Position || info.Length > stream.Length);
    }

    private static bool TrimCarriageReturn(ref byte[] line)
    {
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        return line.AsSpan().IndexOfAnyExcept(" \t"u8) >= 0;
    }
}
