using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;

namespace LogPipeline.Api.Infrastructure;

/// <summary>
/// A connection's output, as Kestrel writes it, with Kestrel's own rejects answered as ProblemDetails
/// (<see cref="KestrelRejects"/>). While a request is inside the app every byte goes straight to the
/// connection. Bytes written while none is are held only as long as they still look like the start of an
/// error status line (<c>HTTP/1.1 4</c> or <c>5</c>); at the flush, a whole response head that is an error
/// with <c>Content-Length: 0</c> and <c>Connection: close</c>, the shape of every Kestrel reject, is
/// written again with a ProblemDetails body, and anything else goes out as it came. A connection whose
/// first bytes are not HTTP/1.x (HTTP/2, whose first write is its SETTINGS frame, or TLS when this runs
/// outside it) is passed through untouched from then on.
/// </summary>
internal sealed class KestrelRejectWriter(PipeWriter inner, IServiceProvider? services, KestrelServerLimits limits, string connectionId) : PipeWriter
{
    private static ReadOnlySpan<byte> StatusLinePrefix => "HTTP/1.1 "u8;

    /// <summary>Far more than any reject's head (a status line and four or five short headers).</summary>
    private const int MaxHeldBytes = 16 * 1024;

    private int _requestsInApp;
    private bool _passThrough;
    private bool _wroteAny;
    private bool _leasedHeld;

    /// <summary>Bytes written outside the app; those before <see cref="_forwarded"/> have gone on to the connection.</summary>
    private ArrayBufferWriter<byte>? _held;
    private int _forwarded;

    /// <summary>Whether the held bytes are still to be judged (reject or not); false once they were.</summary>
    private bool _judging;

    public void EnterApp() => Interlocked.Increment(ref _requestsInApp);

    public void LeaveApp() => Interlocked.Decrement(ref _requestsInApp);

    private bool Holding => _judging && _held is { WrittenCount: > 0 };

    public override Memory<byte> GetMemory(int sizeHint = 0) => Lease() ? _held!.GetMemory(sizeHint) : inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => Lease() ? _held!.GetSpan(sizeHint) : inner.GetSpan(sizeHint);

    /// <summary>True when the next bytes are to be held; false when they go straight to the connection.</summary>
    private bool Lease()
    {
        if (_passThrough || Volatile.Read(ref _requestsInApp) > 0)
        {
            // Bytes held from before a request came in were not a reject after all.
            Forward();
            return _leasedHeld = false;
        }

        _held ??= new ArrayBufferWriter<byte>(512);
        if (_held.WrittenCount == _forwarded)
        {
            // Nothing waits to be judged: these bytes start a new response (or whatever it is). Only now
            // can the buffer be reused: Kestrel's BufferWriter goes on writing into the rest of the memory
            // it was given after each Advance, until it asks for more.
            _held.ResetWrittenCount();
            _forwarded = 0;
            _judging = true;
        }

        return _leasedHeld = true;
    }

    public override void Advance(int bytes)
    {
        if (!_leasedHeld)
        {
            _wroteAny |= bytes > 0;
            inner.Advance(bytes);
            return;
        }

        _held!.Advance(bytes);
        if (!_judging || !MayBeReject(_held.WrittenSpan))
        {
            Forward();
        }
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) =>
        Holding ? FlushHeldAsync(cancellationToken) : inner.FlushAsync(cancellationToken);

    private async ValueTask<FlushResult> FlushHeldAsync(CancellationToken cancellationToken)
    {
        // Kestrel writes a reject's whole head and then flushes it, so a head that is not whole by now is not one.
        if (RejectHead(_held!.WrittenSpan) is { } head && await ProblemAsync(head.Status).ConfigureAwait(false) is { } problem)
        {
            var text = new StringBuilder(head.StatusLine).Append("\r\n")
                .Append("Content-Type: ").Append(problem.ContentType).Append("\r\n")
                .Append("Content-Length: ").Append(problem.Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
            foreach (var line in head.OtherHeaders)
            {
                text.Append(line).Append("\r\n");
            }

            text.Append("\r\n");
            inner.Write(Encoding.Latin1.GetBytes(text.ToString()));
            inner.Write(problem.Body);
            _forwarded = _held.WrittenCount;
            _judging = false;
            _wroteAny = true;
        }
        else
        {
            Forward();
        }

        return await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes + (_held is null ? 0 : _held.WrittenCount - _forwarded);

    public override void Complete(Exception? exception = null)
    {
        Forward();
        inner.Complete(exception);
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        Forward();
        return inner.CompleteAsync(exception);
    }

    /// <summary>Sends the held bytes not sent yet on as they are: they are not a reject.</summary>
    private void Forward()
    {
        if (_held is null || _held.WrittenCount == _forwarded)
        {
            return;
        }

        if (_judging)
        {
            // The connection's first bytes: whatever does not start as HTTP/1.x never will.
            _passThrough |= !_wroteAny && !_held.WrittenSpan.StartsWith("HTTP/1."u8);
            _judging = false;
        }

        _wroteAny = true;
        inner.Write(_held.WrittenSpan[_forwarded..]);
        _forwarded = _held.WrittenCount;
    }

    /// <summary>Whether <paramref name="bytes"/> can still be the start of an error response head.</summary>
    private static bool MayBeReject(ReadOnlySpan<byte> bytes)
    {
        var prefix = StatusLinePrefix;
        if (bytes.Length <= prefix.Length)
        {
            return prefix.StartsWith(bytes);
        }

        return bytes.StartsWith(prefix) && bytes[prefix.Length] is (byte)'4' or (byte)'5' && bytes.Length <= MaxHeldBytes;
    }

    private sealed record Head(int Status, string StatusLine, List<string> OtherHeaders);

    /// <summary>The parts of an error response head as Kestrel writes a reject: nothing after it, an empty body, the connection closing.</summary>
    private static Head? RejectHead(ReadOnlySpan<byte> bytes)
    {
        if (!bytes.EndsWith("\r\n\r\n"u8) || !MayBeReject(bytes))
        {
            return null;
        }

        var lines = Encoding.Latin1.GetString(bytes[..^4]).Split("\r\n");
        var statusLine = lines[0];
        if (statusLine.Length < 12 || !int.TryParse(statusLine.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status) || (statusLine.Length > 12 && statusLine[12] != ' '))
        {
            return null;
        }

        var (emptyBody, closing) = (false, false);
        var others = new List<string>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var (name, value) = colon < 0 ? (line, "") : (line[..colon].Trim(), line[(colon + 1)..].Trim());
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                emptyBody = value == "0";
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            else
            {
                closing |= name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && value.Equals("close", StringComparison.OrdinalIgnoreCase);
                others.Add(line);
            }
        }

        return emptyBody && closing ? new Head(status, statusLine, others) : null;
    }

    /// <summary>
    /// The body through the app's own <see cref="IProblemDetailsService"/>, so that it reads like every other
    /// problem of the API (type, traceId: here the connection's id, which Kestrel's log of the reject names).
    /// </summary>
    private async Task<(string ContentType, byte[] Body)?> ProblemAsync(int status)
    {
        if (services?.GetService<IProblemDetailsService>() is not { } problems)
        {
            return null;
        }

        var (title, detail) = Describe(status);
        var context = new DefaultHttpContext { RequestServices = services, TraceIdentifier = connectionId };
        using var body = new MemoryStream();
        context.Response.Body = body;
        context.Response.StatusCode = status;
        var written = await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).ConfigureAwait(false);
        await context.Response.CompleteAsync().ConfigureAwait(false);
        return written && body.Length > 0 ? (context.Response.ContentType ?? "application/problem+json", body.ToArray()) : null;
    }

    /// <summary>What a reject of this status means; the titles of the limits are those of <see cref="RequestLimitsMiddleware"/>.</summary>
    private (string Title, string? Detail) Describe(int status) => status switch
    {
        StatusCodes.Status400BadRequest => ("The request is not valid HTTP.", "The request line or headers could not be read as HTTP/1.1 (RFC 9112), so the request did not reach the API; the connection is closed."),
        StatusCodes.Status408RequestTimeout => ("The request took too long to arrive.", $"The request line and headers must arrive within {limits.RequestHeadersTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; the connection is closed."),
        StatusCodes.Status414UriTooLong => (RequestLimitsMiddleware.UriTooLongTitle, $"The path and query can be at most {RequestLimitsMiddleware.MaxTargetLength} characters; this request line is over the server's limit of {limits.MaxRequestLineSize} bytes."),
        StatusCodes.Status431RequestHeaderFieldsTooLarge => (RequestLimitsMiddleware.HeadersTooLargeTitle, $"A request can have at most {RequestLimitsMiddleware.MaxHeaderCount} headers of at most {RequestLimitsMiddleware.MaxHeadersLength} characters in all; these are over the server's limit of {limits.MaxRequestHeaderCount} headers or {limits.MaxRequestHeadersTotalSize} bytes."),
        StatusCodes.Status505HttpVersionNotsupported => ("The HTTP version is not supported.", "A request on this connection can be HTTP/1.0 or HTTP/1.1; the connection is closed."),
        _ => (ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase + "." : "The request was rejected.", "The server rejected the request before it reached the API; the connection is closed."),
    };
}
