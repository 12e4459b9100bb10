using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using LogPipeline.Api.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace LogPipeline.Tests.Api;

/// <summary>
/// The writer under Kestrel's output, fed the way Kestrel writes (GetSpan, Advance, FlushAsync), with
/// what a socket test cannot arrange: a reject in pieces, an empty error written inside the app, a
/// connection that is HTTP/2 from its first byte.
/// </summary>
public sealed class KestrelRejectWriterTests
{
    private const string Reject = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\nDate: Sun, 06 Dec 2026 22:00:00 GMT\r\nServer: Kestrel\r\n\r\n";

    private static readonly ServiceProvider Services = new ServiceCollection().AddOptions().AddProblemDetails().BuildServiceProvider();

    [Theory]
    [InlineData(4, false)]
    [InlineData(4, true)]
    [InlineData(1000, false)]
    public async Task ARejectWrittenInPiecesOutsideTheAppIsAProblem(int pieceLength, bool oneSpan)
    {
        var (pipe, writer) = Create();

        await WriteAsync(writer, Reject, pieceLength, oneSpan);

        var answer = await ReadAllAsync(pipe);
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\nContent-Length: ", answer, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\nDate: Sun, 06 Dec 2026 22:00:00 GMT\r\nServer: Kestrel\r\n\r\n", answer, StringComparison.Ordinal);
        var body = answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.Contains($"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n", answer, StringComparison.Ordinal);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("The request is not valid HTTP.", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal("connection-1", problem.RootElement.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task AnEmptyErrorOfTheAppGoesOutAsItCame()
    {
        var (pipe, writer) = Create();

        writer.EnterApp();
        await WriteAsync(writer, Reject, pieceLength: 4);
        writer.LeaveApp();

        Assert.Equal(Reject, await ReadAllAsync(pipe));
    }

    [Fact]
    public async Task AnErrorThatKeepsTheConnectionGoesOutAsItCame()
    {
        // Not a Kestrel reject (every reject closes the connection): a middleware ahead of the app's marking.
        var (pipe, writer) = Create();
        var keepAlive = Reject.Replace("Connection: close\r\n", "", StringComparison.Ordinal);

        await WriteAsync(writer, keepAlive, pieceLength: 1000);

        Assert.Equal(keepAlive, await ReadAllAsync(pipe));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(20)]
    public async Task AResponseThatIsNotARejectGoesOutAsItCameEvenWrittenOnInTheSameMemory(int pieceLength)
    {
        // Outside the app (as when a middleware ahead of the marking answers): held only until it is clearly no reject.
        var (pipe, writer) = Create();
        const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nDate: Sun, 06 Dec 2026 22:00:00 GMT\r\n\r\n[]";

        await WriteAsync(writer, Ok, pieceLength, oneSpan: true);
        await WriteAsync(writer, Ok, pieceLength, oneSpan: true);

        Assert.Equal(Ok + Ok, await ReadAllAsync(pipe));
    }

    [Fact]
    public async Task AConnectionThatStartsAsHttp2IsNeverChanged()
    {
        var (pipe, writer) = Create();
        // A SETTINGS frame, as Kestrel opens an HTTP/2 connection; then bytes that look like a reject (a DATA payload).
        var settings = "\0\0\0\u0004\0\0\0\0\0";

        await WriteAsync(writer, settings, pieceLength: 1000);
        await WriteAsync(writer, Reject, pieceLength: 1000);

        Assert.Equal(settings + Reject, await ReadAllAsync(pipe));
    }

    private static (Pipe Pipe, KestrelRejectWriter Writer) Create()
    {
        var pipe = new Pipe();
        return (pipe, new KestrelRejectWriter(pipe.Writer, Services, new KestrelServerLimits(), "connection-1"));
    }

    /// <summary>
    /// Writes in pieces: each into new memory, or (<paramref name="oneSpan"/>) all into the memory of one
    /// GetMemory call, advancing after each piece, as Kestrel's BufferWriter does when it commits.
    /// </summary>
    private static async Task WriteAsync(PipeWriter writer, string text, int pieceLength, bool oneSpan = false)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        var memory = oneSpan ? writer.GetMemory(bytes.Length) : default;
        for (var at = 0; at < bytes.Length; at += pieceLength)
        {
            var piece = bytes.AsSpan(at, Math.Min(pieceLength, bytes.Length - at));
            piece.CopyTo(oneSpan ? memory.Span[at..] : writer.GetSpan(piece.Length));
            writer.Advance(piece.Length);
        }

        await writer.FlushAsync();
    }

    private static async Task<string> ReadAllAsync(Pipe pipe)
    {
        await pipe.Writer.CompleteAsync();
        var text = new StringBuilder();
        while (true)
        {
            var result = await pipe.Reader.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                text.Append(Encoding.Latin1.GetString(segment.Span));
            }

            pipe.Reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return text.ToString();
            }
        }
    }
}
