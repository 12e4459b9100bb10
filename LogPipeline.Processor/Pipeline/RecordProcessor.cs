using LogPipeline.Data;
using LogPipeline.Formats;
using Microsoft.Extensions.Options;
using LogLevel = LogPipeline.Formats.LogLevel;

namespace LogPipeline.Processor.Pipeline;

/// <summary>
/// Parse, validate, normalise and enrich one record. Every decision depends only on the record
/// itself (its bytes, key, headers and Kafka timestamp), never on the wall clock, so a record
/// redelivered after a crash is processed exactly as the first time.
/// </summary>
public sealed class RecordProcessor(IOptions<ProcessorOptions> options)
{
    private readonly ProcessorOptions _options = options.Value;

    public ProcessedRecord Process(KafkaRecord record)
    {
        var context = new LogParseContext(record.Key, record.Host, record.Timestamp, _options.SyslogDefaultOffset) { MaxLineBytes = _options.MaxLineBytes };
        if (!LogParser.TryParse(record.Value, context, out var e, out var format, out var error))
        {
            return Reject(record, error.ReasonCode, error.Message);
        }

        if (e.Timestamp > record.Timestamp + _options.MaxFutureSkew || e.Timestamp < record.Timestamp - _options.MaxAge)
        {
            return Reject(record, "absurd-timestamp",
                $"event time {e.Timestamp:O} is outside [{record.Timestamp - _options.MaxAge:O}, {record.Timestamp + _options.MaxFutureSkew:O}] around the Kafka timestamp");
        }

        var service = e.Service.Trim();
        var host = e.Host.Trim();
        if (service.Length is 0 or > StoreLimits.ServiceLength || host.Length is 0 or > StoreLimits.HostLength)
        {
            return Reject(record, "invalid-field", $"service must be 1 to {StoreLimits.ServiceLength} characters and host 1 to {StoreLimits.HostLength}");
        }

        if (e.Http is { } http && (http.Status is < 100 or > 599 || http.DurationMs < 0 || !double.IsFinite(http.DurationMs) || http.Bytes < 0))
        {
            return Reject(record, "invalid-field", "HTTP status must be 100 to 599 and duration and bytes not negative");
        }

        if (service.Length != e.Service.Length || host.Length != e.Host.Length)
        {
            e = e with { Service = service, Host = host };
        }

        // Fingerprints group warnings and errors by message template.
        if (e.Level >= LogLevel.Warn)
        {
            var (template, fingerprint) = Fingerprinter.Fingerprint(e.Message);
            return new ProcessedRecord(record, e, format!.Value, template, fingerprint, null);
        }

        return new ProcessedRecord(record, e, format!.Value, null, null, null);
    }

    private static ProcessedRecord Reject(KafkaRecord record, string reason, string detail) =>
        new(record, null, default, null, null, new Rejection(reason, detail));
}
