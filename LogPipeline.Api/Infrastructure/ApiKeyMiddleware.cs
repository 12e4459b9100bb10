using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace LogPipeline.Api.Infrastructure;

/// <summary>
/// When <see cref="ApiOptions.Key"/> is set, requires it on <c>/api</c> and <c>/openapi</c>, in the
/// <c>X-Api-Key</c> header or the <c>apiKey</c> query parameter (a browser's EventSource cannot send
/// headers; AddApi keeps ASP.NET Core's request lines, which log the query string, at Warning).
/// Health endpoints and static files stay open.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, IOptionsMonitor<ApiOptions> options, IProblemDetailsService problems)
{
    public const string HeaderName = "X-Api-Key";
    public const string QueryName = "apiKey";

    public async Task InvokeAsync(HttpContext context)
    {
        var key = options.CurrentValue.Key;
        if (string.IsNullOrEmpty(key) || !IsProtected(context.Request.Path) || Matches(Presented(context.Request), key))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        var written = await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "An API key is required.",
                Detail = $"Send the API key in the {HeaderName} header, or in the {QueryName} query parameter.",
            },
        }).ConfigureAwait(false);
        if (!written)
        {
            await context.Response.WriteAsync("An API key is required.", context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static bool IsProtected(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase);

    private static string? Presented(HttpRequest request)
    {
        var header = request.Headers[HeaderName];
        return header.Count > 0 ? header[0] : request.Query[QueryName].FirstOrDefault();
    }

    // Hashing first makes both sides the same length, so the comparison time says nothing about the key.
    private static bool Matches(string? presented, string key) =>
        presented is not null
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
