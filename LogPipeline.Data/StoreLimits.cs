namespace LogPipeline.Data;

/// <summary>
/// Column sizes shared by the EF model, the SQL migrations and the writers, which must truncate to
/// them (MariaDB in strict mode rejects a longer value instead of cutting it).
/// </summary>
public static class StoreLimits
{
    public const int TopicLength = 200;
    public const int GroupIdLength = 200;
    public const int ServiceLength = 100;
    public const int HostLength = 255;
    public const int HttpMethodLength = 16;
    public const int HttpPathLength = 2048;
    public const int TraceIdLength = 32;
    public const int SpanIdLength = 16;
    public const int AnomalyKindLength = 50;
    public const int DeadLetterReasonLength = 50;
    public const int DeadLetterDetailLength = 1000;

    /// <summary>A dead letter's key and host: the processor cuts them to 1 KiB of UTF-8, at most this many characters.</summary>
    public const int DeadLetterKeyLength = 1024;

    /// <summary>Characters of a dead letter's readable preview.</summary>
    public const int DeadLetterPreviewLength = 1000;

    /// <summary>
    /// Characters that always fit a MariaDB <c>TEXT</c> column (65,535 bytes) in utf8mb4, at four
    /// bytes per character: the most a writer may put in message, template or attribute columns.
    /// </summary>
    public const int TextLength = 16_000;
}
