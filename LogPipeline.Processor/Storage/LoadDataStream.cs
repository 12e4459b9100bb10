using System.Buffers;
using System.Globalization;
using System.Text;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// Rows as the text <c>LOAD DATA</c> reads with its default format (fields terminated by tab, not
/// enclosed, escaped by backslash; lines terminated by newline; <c>\N</c> for NULL), UTF-8, produced
/// row by row as MySqlConnector reads the stream, so a batch is never held a second time in memory
/// and nothing touches the disk (<see cref="MariaDbBulkLoad"/>).
/// </summary>
/// <remarks>
/// Escaping is the one thing that must be exact: in a string, backslash, tab and newline are written
/// as a backslash and the character itself, and NUL as <c>\0</c> (the server reads those back as the
/// character, whatever else the value holds); every other character is its UTF-8, which for utf8mb4
/// never contains those bytes inside a multi-byte character. Lone surrogates become U+FFFD, as in
/// every other UTF-8 encoding of ours (and as the INSERT literals did).
/// </remarks>
internal sealed class LoadDataStream<T>(IReadOnlyList<T> rows, int columns, RowBinder<T> bind) : Stream
{
    private readonly Row _row = new();
    private int _next;
    private int _sent;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Fills <paramref name="buffer"/> with the next rows' text (a row may continue in the next read); 0 at the end.</summary>
    public override int Read(Span<byte> buffer)
    {
        var written = 0;
        while (written < buffer.Length)
        {
            if (_sent == _row.Length)
            {
                if (_next == rows.Count)
                {
                    break;
                }

                _row.Clear();
                bind(rows[_next++], _row);
                _row.EndLine(columns);
                _sent = 0;
            }

            var chunk = _row.Text[_sent..];
            var count = Math.Min(chunk.Length, buffer.Length - written);
            chunk[..count].CopyTo(buffer[written..]);
            written += count;
            _sent += count;
        }

        return written;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    // Formatting is CPU work on data already in memory: the asynchronous reads complete at once.
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>One row's text, reused for every row (it grows to the longest row and stays).</summary>
    private sealed class Row : RowValues
    {
        private const string DateFormat = "yyyy-MM-dd HH:mm:ss.ffffff";

        // What the server's reader would otherwise take for a field or line end, an escape, or (NUL) cut short.
        private static readonly SearchValues<char> Escaped = SearchValues.Create("\\\t\n\0");

        private byte[] _text = new byte[16 * 1024];

        public int Length { get; private set; }

        public ReadOnlySpan<byte> Text => _text.AsSpan(0, Length);

        public void Clear()
        {
            Length = 0;
            Start();
        }

        /// <summary>Ends the row with its newline, once the binder has given every column.</summary>
        public void EndLine(int columns)
        {
            EnsureComplete(columns);
            Reserve(1);
            _text[Length++] = (byte)'\n';
        }

        public override void Add(string? value)
        {
            if (!Separate(value is null))
            {
                return;
            }

            var rest = value.AsSpan();
            while (true)
            {
                var special = rest.IndexOfAny(Escaped);
                var plain = special < 0 ? rest : rest[..special];

                // The characters before an escaped one never end inside a surrogate pair: escaped characters are ASCII.
                Reserve(Encoding.UTF8.GetMaxByteCount(plain.Length) + 2);
                Length += Encoding.UTF8.GetBytes(plain, _text.AsSpan(Length));
                if (special < 0)
                {
                    return;
                }

                _text[Length++] = (byte)'\\';
                _text[Length++] = rest[special] == '\0' ? (byte)'0' : (byte)rest[special];
                rest = rest[(special + 1)..];
            }
        }

        public override void Add(long? value)
        {
            if (Separate(value is null))
            {
                Reserve(20);
                value!.Value.TryFormat(_text.AsSpan(Length), out var written, default, CultureInfo.InvariantCulture);
                Length += written;
            }
        }

        public override void Add(double? value)
        {
            if (Separate(value is null))
            {
                var v = value!.Value;
                if (!double.IsFinite(v))
                {
                    throw new ArgumentException($"MariaDB stores no {v}.", nameof(value));
                }

                Reserve(32);
                v.TryFormat(_text.AsSpan(Length), out var written, "R", CultureInfo.InvariantCulture);
                Length += written;
            }
        }

        public override void Add(DateTime? value)
        {
            if (Separate(value is null))
            {
                // DATETIME(6): microseconds, as the drivers send them.
                Reserve(32);
                value!.Value.TryFormat(_text.AsSpan(Length), out var written, DateFormat, CultureInfo.InvariantCulture);
                Length += written;
            }
        }

        /// <summary>Writes the tab before every value but the first, and <c>\N</c> for a null; true when the value is still to write.</summary>
        private bool Separate(bool isNull)
        {
            Reserve(3);
            if (Count++ > 0)
            {
                _text[Length++] = (byte)'\t';
            }

            if (isNull)
            {
                _text[Length++] = (byte)'\\';
                _text[Length++] = (byte)'N';
            }

            return !isNull;
        }

        private void Reserve(int bytes)
        {
            if (Length + bytes > _text.Length)
            {
                Array.Resize(ref _text, Math.Max(_text.Length * 2, Length + bytes));
            }
        }
    }
}
