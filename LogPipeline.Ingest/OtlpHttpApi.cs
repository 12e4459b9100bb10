using System.Text;
using Google.Protobuf;
using Grpc.Core;
using LogPipeline.Ingest.Otlp;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace LogPipeline.Ingest;

/// <summary>
/// OTLP/HTTP: <c>POST /v1/logs</c> with a binary protobuf or OTLP/JSON body, gzip or not. Answers
/// are in the request's encoding, as the specification asks: the response message on success,
/// a google.rpc.Status on 400, 413, 429 and 503 (the last two with Retry-After).
/// </summary>
public static partial class OtlpHttpApi
{
    public const string Route = "/v1/logs";
    public const string ProtobufContentType = "application/x-protobuf";
    public const string JsonContentType = "application/json";

    private static readonly JsonParser Json = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static RouteHandlerBuilder MapOtlpHttpApi(this IEndpointRouteBuilder app) =>
        app.MapPost(Route, ExportLogs)
            .WithName("ExportLogs")
            .WithSummary("OTLP/HTTP log export (application/x-protobuf or application/json, gzip accepted)")
            .WithTags("OTLP");

    public static async Task<Results<OtlpResult, ProblemHttpResult>> ExportLogs(
        HttpRequest request, LogsExport export, IOptions<IngestOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var json = false;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !((json = mediaType.MediaType.Equals(JsonContentType, StringComparison.OrdinalIgnoreCase)) || mediaType.MediaType.Equals(ProtobufContentType, StringComparison.OrdinalIgnoreCase)))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported content type",
                detail: $"OTLP/HTTP takes {ProtobufContentType} or {JsonContentType}; got '{request.ContentType}'.");
        }

        var encoding = request.Headers.ContentEncoding.ToString();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported content encoding",
                detail: $"Content-Encoding may be gzip or none; got '{encoding}'.");
        }

        var settings = options.Value;
        var (body, problem) = await RequestBody.ReadAsync(request.Body, request.ContentLength, gzip, settings.MaxRequestBytes, cancellationToken);
        if (body is null)
        {
            return problem == BodyProblem.TooLarge
                ? Error(StatusCodes.Status413PayloadTooLarge, StatusCode.InvalidArgument, $"the body is over the {settings.MaxRequestBytes}-byte limit (counted after decompression)", json)
                : Error(StatusCodes.Status400BadRequest, StatusCode.InvalidArgument, "Content-Encoding is gzip but the body is not valid gzip", json);
        }

        ExportLogsServiceRequest message;
        using (body)
        {
            try
            {
                message = json ? ParseJson(body.Span) : ExportLogsServiceRequest.Parser.ParseFrom(body.Span);
            }
            catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException or FormatException)
            {
                LogMalformed(loggers.CreateLogger(typeof(OtlpHttpApi)), json ? "JSON" : "protobuf", ex.Message);
                return Error(StatusCodes.Status400BadRequest, StatusCode.InvalidArgument, $"the body is not a valid OTLP ExportLogsServiceRequest: {ex.Message}", json);
            }
            catch (DecoderFallbackException)
            {
                // Only the JSON reader gets here: Google.Protobuf reports a bad string field itself
                // ("String is invalid UTF-8."), as an InvalidProtocolBufferException above.
                return Error(StatusCodes.Status400BadRequest, StatusCode.InvalidArgument, "the JSON body is not valid UTF-8", json);
            }
        }

        var outcome = await export.ExportAsync(message, cancellationToken);
        return outcome.Result switch
        {
            PublishResult.Acked => new OtlpResult(StatusCodes.Status200OK, outcome.Response, json, null),
            PublishResult.Busy => Error(StatusCodes.Status429TooManyRequests, StatusCode.ResourceExhausted, "too many log records in flight to Kafka; retry later", json, outcome.RetryAfter),
            _ => Error(StatusCodes.Status503ServiceUnavailable, StatusCode.Unavailable, "Kafka did not acknowledge the log records; retry later", json, outcome.RetryAfter),
        };
    }

    /// <summary>
    /// OTLP/JSON writes trace and span ids as hex, where protobuf's JSON mapping (which the parser
    /// follows) expects base64 for bytes. Hex digits are base64 digits too, and 32 (16) of them
    /// decode to 24 (12) bytes: encoding those back as base64 gives the hex text again, which is
    /// then read as hex. An id that is not hex is malformed; one in base64 (protobuf's
    /// own mapping, which some senders follow) is taken as it is.
    /// </summary>
    public static ExportLogsServiceRequest ParseJson(ReadOnlySpan<byte> utf8)
    {
        var request = Json.Parse<ExportLogsServiceRequest>(StrictUtf8.GetString(utf8));
        foreach (var resourceLogs in request.ResourceLogs)
        {
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                foreach (var record in scopeLogs.LogRecords)
                {
                    record.TraceId = FromHexId(record.TraceId, 16, "traceId");
                    record.SpanId = FromHexId(record.SpanId, 8, "spanId");
                }
            }
        }

        return request;
    }

    private static ByteString FromHexId(ByteString parsed, int length, string field)
    {
        // Empty, or already the raw id (a sender that followed protobuf's JSON mapping): keep it.
        if (parsed.Length == 0 || parsed.Length == length)
        {
            return parsed;
        }

        var text = Convert.ToBase64String(parsed.Span);
        if (parsed.Length != length * 3 / 2 || text.Length != length * 2 || text.AsSpan().IndexOfAnyExcept("0123456789abcdefABCDEF") >= 0)
        {
            throw new FormatException($"'{field}' is not {length * 2} hex digits");
        }

        return ByteString.CopyFrom(Convert.FromHexString(text));
    }

    private static OtlpResult Error(int httpStatus, StatusCode code, string message, bool json, TimeSpan? retryAfter = null) =>
        new(httpStatus, new Rpc.Status { Code = (int)code, Message = message }, json, retryAfter);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Debug, Message = "Refused a malformed OTLP/HTTP {Encoding} body: {Reason}")]
    private static partial void LogMalformed(ILogger logger, string encoding, string reason);
}
