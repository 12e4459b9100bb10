using Google.Protobuf;

namespace LogPipeline.Ingest;

/// <summary>A protobuf message as an OTLP/HTTP answer, in the request's encoding, with Retry-After when given.</summary>
public sealed class OtlpResult(int statusCode, IMessage body, bool json, TimeSpan? retryAfter) : IResult, IStatusCodeHttpResult
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);

    public int? StatusCode => statusCode;

    public IMessage Body => body;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        if (retryAfter is { } delay)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (json)
        {
            response.ContentType = OtlpHttpApi.JsonContentType;
            await response.WriteAsync(Formatter.Format(body), httpContext.RequestAborted);
        }
        else
        {
            response.ContentType = OtlpHttpApi.ProtobufContentType;
            var bytes = body.ToByteArray();
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes, httpContext.RequestAborted);
        }
    }
}
