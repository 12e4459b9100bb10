using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace LogPipeline.Api.Infrastructure;

/// <summary>
/// Kestrel's own rejects as ProblemDetails. A request line or header block over Kestrel's limits (1 MB
/// here, <see cref="RequestLimitsMiddleware.RaiseKestrelLimits"/>), bytes that are not HTTP, an HTTP
/// version it does not speak or a request that times out before its headers are in: Kestrel answers
/// those itself, before any middleware, with an empty body, and has no hook to change that answer
/// (aspnet/KestrelHttpServer#2947). So every connection's output goes through a
/// <see cref="KestrelRejectWriter"/> (a connection middleware, <see cref="Watch"/>), and
/// <see cref="InAppMiddleware"/> tells it while a request of the connection is inside the app. Kestrel
/// parses an HTTP/1.1 connection's next request only once the app is done with the previous one, so a
/// response written while no request is inside the app is Kestrel's own; when it is an error that closes
/// the connection, the writer puts a ProblemDetails body in its place.
/// </summary>
internal static class KestrelRejects
{
    /// <summary>Key of the connection's <see cref="KestrelRejectWriter"/> in its items (shared by the connection and its requests).</summary>
    private static readonly object WriterKey = new();

    /// <summary>
    /// Adds the connection middleware to every endpoint Kestrel creates after this call, from code or
    /// configuration. <see cref="KestrelServerOptions.ConfigureEndpointDefaults"/> replaces any earlier
    /// defaults; nothing else in LogPipeline sets them. AddApi registers this before the ingest declares its
    /// ports (the standalone host), so those endpoints get it too. On a TLS endpoint the defaults come
    /// before UseHttps, so this middleware sees encrypted bytes and lets them pass: no problem bodies there
    /// (the AppHost gives the API a plain HTTP endpoint).
    /// </summary>
    public static void AnswerAsProblems(KestrelServerOptions options) => options.ConfigureEndpointDefaults(Watch);

    /// <summary>The connection middleware on one endpoint.</summary>
    public static void Watch(ListenOptions listen)
    {
        listen.Use(next => async connection =>
        {
            var original = connection.Transport;
            var writer = new KestrelRejectWriter(original.Output, listen.ApplicationServices, listen.KestrelServerOptions.Limits, connection.ConnectionId);
            connection.Items[WriterKey] = writer;
            connection.Transport = new Duplex(original.Input, writer);
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                // What transports and other middleware complete is the connection's own pipe.
                connection.Transport = original;
                connection.Items.Remove(WriterKey);
            }
        });
    }

    /// <summary>
    /// Marks the connection as inside the app from the start of a request until its response has
    /// completed (OnCompleted runs after Kestrel wrote the whole response). First in the pipeline, so that
    /// nothing the app answers is taken for a reject. Does nothing where there is no writer (the test
    /// server, an endpoint without <see cref="Watch"/>).
    /// </summary>
    public sealed class InAppMiddleware(RequestDelegate next)
    {
        public Task InvokeAsync(HttpContext context)
        {
            if (context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(WriterKey, out var value) == true && value is KestrelRejectWriter writer)
            {
                writer.EnterApp();
                context.Response.OnCompleted(static state =>
                {
                    ((KestrelRejectWriter)state).LeaveApp();
                    return Task.CompletedTask;
                }, writer);
            }

            return next(context);
        }
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
