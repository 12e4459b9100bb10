using LogPipeline.Formats;

namespace LogPipeline.Data;

/// <summary>A message template seen at warning level or worse, per service (<c>error_fingerprints</c>).</summary>
public sealed class ErrorFingerprint
{
    public required string Service { get; set; }

    public long Fingerprint { get; set; }

    public required string Template { get; set; }

    public long Count { get; set; }

    public DateTime FirstSeenUtc { get; set; }

    public DateTime LastSeenUtc { get; set; }

    public required string SampleMessage { get; set; }

    public LogLevel Level { get; set; }
}
