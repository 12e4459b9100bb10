using LogPipeline.Data;
using Microsoft.AspNetCore.Diagnostics;

namespace LogPipeline.Api.Infrastructure;

/// <summary>
/// A store that does not answer (stopped, restarting, frozen, locked; <see cref="StoreErrors"/>) is an outage, not a bug in the
/// request: 503 with Retry-After and a ProblemDetails that says so, as Seq and Elasticsearch answer,
/// instead of the generic 500. Anything else falls through to the default handler (a 500 ProblemDetails).
/// The outage is logged once, then once a minute, not per request (<see cref="StoreOutageLog"/>).
/// </summary>
internal sealed class StoreUnavailableHandler(IProblemDetailsService problems, StoreOutageLog outage) : IExceptionHandler
{
    /// <summary>Seconds a client should wait before asking again.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (Unreachable(exception) is not { } cause || httpContext.Response.HasStarted)
        {
            return false;
        }

        outage.Unavailable(httpContext.Request.Path, cause);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The log store is not reachable.",
                Detail = $"The store did not answer ({cause.Message}); try again in {RetryAfterSeconds} s.",
            },
        });
    }

    /// <summary>The exception in the chain that says the store did not answer (as the processor judges it), if any.</summary>
    internal static Exception? Unreachable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (StoreErrors.IsTransient(e))
            {
                return e;
            }
        }

        return null;
    }
}
