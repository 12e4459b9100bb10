using Microsoft.AspNetCore.Http.Features;

namespace LogPipeline.Api.Infrastructure;

/// <summary>
/// Kestrel's usual request limits, answered as ProblemDetails. Kestrel rejects a request line or a
/// header block over its own limits before any middleware runs, with an empty body
/// (aspnet/KestrelHttpServer#2947); so AddApi raises those limits to the connection's request buffer
/// (<see cref="RaiseKestrelLimits"/>) and this middleware enforces Kestrel's defaults instead, with the
/// request in hand. Beyond the raised limits Kestrel still rejects alone; <see cref="KestrelRejects"/>
/// then puts a ProblemDetails body (these titles) in its empty one.
/// </summary>
internal sealed class RequestLimitsMiddleware(RequestDelegate next, IProblemDetailsService problems)
{
    /// <summary>Kestrel's default request line limit, for the path and query alone.</summary>
    public const int MaxTargetLength = 8 * 1024;

    /// <summary>Kestrel's default limit on the header names and values together.</summary>
    public const int MaxHeadersLength = 32 * 1024;

    /// <summary>Kestrel's default header count limit.</summary>
    public const int MaxHeaderCount = 100;

    /// <summary>The title of a 414, here and in Kestrel's own (<see cref="KestrelRejectWriter"/>).</summary>
    public const string UriTooLongTitle = "The request's URL is too long.";

    /// <summary>The title of a 431, here and in Kestrel's own.</summary>
    public const string HeadersTooLargeTitle = "The request's headers are too large.";

    public async Task InvokeAsync(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value + context.Request.QueryString.Value;
        var headersLength = 0L;
        foreach (var (name, values) in context.Request.Headers)
        {
            headersLength += name.Length;
            foreach (var value in values)
            {
                headersLength += value?.Length ?? 0;
            }
        }

        var (status, title, detail) =
            target.Length > MaxTargetLength
                ? (StatusCodes.Status414UriTooLong, UriTooLongTitle, $"The path and query can be at most {MaxTargetLength} characters; this one has {target.Length}.")
            : context.Request.Headers.Count > MaxHeaderCount || headersLength > MaxHeadersLength
                ? (StatusCodes.Status431RequestHeaderFieldsTooLarge, HeadersTooLargeTitle, $"A request can have at most {MaxHeaderCount} headers of at most {MaxHeadersLength} characters in all.")
            : (0, "", "");
        if (status == 0)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = status;
        var written = await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).ConfigureAwait(false);
        if (!written)
        {
            await context.Response.WriteAsync(title, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Lets requests up to the connection's request buffer (1 MB by default) reach the pipeline, where
    /// this middleware answers them. Beyond it Kestrel answers alone (414, 431), and
    /// <see cref="KestrelRejects"/> gives that answer its ProblemDetails body.
    /// </summary>
    public static void RaiseKestrelLimits(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions options)
    {
        var buffer = (int)Math.Min(options.Limits.MaxRequestBufferSize ?? 1024 * 1024, int.MaxValue);
        options.Limits.MaxRequestLineSize = Math.Max(options.Limits.MaxRequestLineSize, buffer);
        options.Limits.MaxRequestHeadersTotalSize = Math.Max(options.Limits.MaxRequestHeadersTotalSize, buffer);
        options.Limits.MaxRequestHeaderCount = Math.Max(options.Limits.MaxRequestHeaderCount, 10 * MaxHeaderCount);
    }
}
