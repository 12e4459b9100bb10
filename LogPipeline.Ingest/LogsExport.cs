using LogPipeline.Ingest.Otlp;

namespace LogPipeline.Ingest;

/// <summary>
/// One export, whatever carried it: maps every record (rejecting those that cannot go on the wire),
/// then publishes the rest. The transports only decode the request and encode the outcome.
/// </summary>
public sealed class LogsExport(OtlpPublisher publisher, Microsoft.Extensions.Options.IOptions<IngestOptions> options, TimeProvider time)
{
    private readonly IngestOptions _settings = options.Value;

    public async Task<ExportOutcome> ExportAsync(ExportLogsServiceRequest request, CancellationToken cancellationToken)
    {
        var receivedAt = time.GetUtcNow();
        var records = new List<MappedRecord>(Count(request));
        long rejected = 0;
        string? firstError = null;
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var resource = OtlpMapper.ForResource(resourceLogs.Resource);
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                foreach (var record in scopeLogs.LogRecords)
                {
                    if (OtlpMapper.TryMap(resource, scopeLogs.Scope, record, receivedAt, _settings.MaxRecordBytes, out var mapped, out var error))
                    {
                        records.Add(mapped);
                    }
                    else
                    {
                        rejected++;
                        firstError ??= error;
                    }
                }
            }
        }

        var result = await publisher.PublishAsync(records, cancellationToken);
        var response = new ExportLogsServiceResponse();
        if (rejected > 0)
        {
            response.PartialSuccess = new ExportLogsPartialSuccess
            {
                RejectedLogRecords = rejected,
                ErrorMessage = $"{rejected} log record(s) rejected: {firstError}",
            };
        }

        var retryAfter = result switch
        {
            PublishResult.Busy => _settings.BusyRetryAfter,
            PublishResult.Unavailable => _settings.UnavailableRetryAfter,
            _ => TimeSpan.Zero,
        };
        return new ExportOutcome(result, response, retryAfter);
    }

    private static int Count(ExportLogsServiceRequest request)
    {
        var n = 0;
        foreach (var resourceLogs in request.ResourceLogs)
        {
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                n += scopeLogs.LogRecords.Count;
            }
        }

        return n;
    }
}
