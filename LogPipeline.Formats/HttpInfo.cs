namespace LogPipeline.Formats;

/// <summary>HTTP access fields of a log event.</summary>
public sealed record HttpInfo
{
    public required string Method { get; init; }

    public required string Path { get; init; }

    public required int Status { get; init; }

    /// <summary>Time to serve the request, in milliseconds.</summary>
    public required double DurationMs { get; init; }

    /// <summary>Response body size in bytes.</summary>
    public required long Bytes { get; init; }
}
