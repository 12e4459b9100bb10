using Microsoft.Extensions.Options;

namespace LogPipeline.Ingest;

/// <summary>Start-up validation that names each bad setting.</summary>
public sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        List<string> failures = [];
        if (options.GrpcPort is < 0 or > 65535 || options.HttpPort is < 0 or > 65535)
        {
            failures.Add($"Ingest:GrpcPort and Ingest:HttpPort must be 0 (none of its own) or a TCP port; got {options.GrpcPort} and {options.HttpPort}.");
        }

        if (options.GrpcPort != 0 && options.GrpcPort == options.HttpPort)
        {
            failures.Add($"Ingest:GrpcPort and Ingest:HttpPort must differ (HTTP/2 cleartext and HTTP/1.1 cannot share a port); both are {options.GrpcPort}.");
        }

        if (string.IsNullOrWhiteSpace(options.BindAddress))
        {
            failures.Add("Ingest:BindAddress must be localhost, * or an IP address.");
        }

        if (options.MaxRequestBytes < 1024)
        {
            failures.Add($"Ingest:MaxRequestBytes must be at least 1024; got {options.MaxRequestBytes}.");
        }

        if (options.MaxRecordBytes < 256 || options.MaxRecordBytes > options.MaxRequestBytes)
        {
            failures.Add($"Ingest:MaxRecordBytes must be between 256 and Ingest:MaxRequestBytes; got {options.MaxRecordBytes}.");
        }

        if (options.MaxInFlightRecords < 1)
        {
            failures.Add($"Ingest:MaxInFlightRecords must be positive; got {options.MaxInFlightRecords}.");
        }

        foreach (var (setting, value) in new[] { ("ExportTimeout", options.ExportTimeout), ("UnavailableRetryAfter", options.UnavailableRetryAfter), ("BusyRetryAfter", options.BusyRetryAfter) })
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"Ingest:{setting} must be positive; got {value}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
