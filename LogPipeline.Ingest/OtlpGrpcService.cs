using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using LogPipeline.Ingest.Otlp;
using LogPipeline.Ingest.Rpc;

namespace LogPipeline.Ingest;

/// <summary>OTLP/gRPC: <c>opentelemetry.proto.collector.logs.v1.LogsService/Export</c>.</summary>
public sealed class OtlpGrpcService(LogsExport export) : LogsService.LogsServiceBase
{
    /// <summary>The trailer in which gRPC carries a google.rpc.Status with details (here RetryInfo), binary.</summary>
    private const string StatusDetailsTrailer = "grpc-status-details-bin";

    public override async Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context)
    {
        var outcome = await export.ExportAsync(request, context.CancellationToken);
        return outcome.Result switch
        {
            PublishResult.Acked => outcome.Response,
            PublishResult.Busy => throw Retryable(StatusCode.ResourceExhausted, "too many log records in flight to Kafka; retry later", outcome.RetryAfter),
            _ => throw Retryable(StatusCode.Unavailable, "Kafka did not acknowledge the log records; retry later", outcome.RetryAfter),
        };
    }

    /// <summary>OTLP senders retry RESOURCE_EXHAUSTED only when RetryInfo says when; UNAVAILABLE always.</summary>
    private static RpcException Retryable(StatusCode code, string message, TimeSpan retryAfter)
    {
        var status = new Rpc.Status { Code = (int)code, Message = message };
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }));
        var trailers = new Metadata { { StatusDetailsTrailer, status.ToByteArray() } };
        return new RpcException(new Grpc.Core.Status(code, message), trailers);
    }
}
