using System.Net.ServerSentEvents;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace LogPipeline.Api.Infrastructure;

/// <summary>
/// A <c>text/event-stream</c> whose status line and headers go out at once, and which writes a
/// comment line when nothing was written for the keep-alive interval. ASP.NET Core's
/// <c>ServerSentEventsResult</c> sends nothing, headers included, until its first event: a tail
/// whose filter matched nothing left clients and proxies waiting until they timed out.
/// </summary>
/// <remarks>A null item is a tick of the source with nothing to send: the moment to check the keep-alive.</remarks>
public sealed class EventStreamResult<T> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();

    private readonly IAsyncEnumerable<SseItem<T>?> _events;
    private readonly TimeSpan _keepAliveInterval;
    private readonly TimeProvider _time;

    internal EventStreamResult(IAsyncEnumerable<SseItem<T>?> events, TimeSpan keepAliveInterval, TimeProvider time)
    {
        _events = events;
        _keepAliveInterval = keepAliveInterval;
        _time = time;
    }

    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        var aborted = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers.ContentEncoding = "identity";
        httpContext.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
        var json = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

        try
        {
            await response.StartAsync(aborted).ConfigureAwait(false);
            await response.Body.FlushAsync(aborted).ConfigureAwait(false);
            var lastWrite = _time.GetTimestamp();
            await foreach (var item in _events.WithCancellation(aborted).ConfigureAwait(false))
            {
                if (item is { } e)
                {
                    await response.Body.WriteAsync(Format(e, json), aborted).ConfigureAwait(false);
                }
                else if (_time.GetElapsedTime(lastWrite) >= _keepAliveInterval)
                {
                    await response.Body.WriteAsync(KeepAlive, aborted).ConfigureAwait(false);
                }
                else
                {
                    continue;
                }

                await response.Body.FlushAsync(aborted).ConfigureAwait(false);
                lastWrite = _time.GetTimestamp();
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static byte[] Format(SseItem<T> item, JsonSerializerOptions json)
    {
        var text = new StringBuilder();
        text.Append("event: ").Append(item.EventType).Append('\n');
        if (item.EventId is { } id)
        {
            text.Append("id: ").Append(id).Append('\n');
        }

        // Serialized JSON has no line breaks unless indented; each line of it is a data line either way.
        foreach (var line in JsonSerializer.Serialize(item.Data, json).Split('\n'))
        {
            text.Append("data: ").Append(line.TrimEnd('\r')).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.Append('\n').ToString());
    }

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(SseItem<T>), ["text/event-stream"])
        {
            Description = $"Server-sent events: each {typeof(T).Name} as the data of an event, with its id; a comment line (: keep-alive) when nothing was sent for a while",
        });
    }
}
