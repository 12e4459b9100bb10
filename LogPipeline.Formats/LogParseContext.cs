namespace LogPipeline.Formats;

/// <summary>
/// What a line may not carry itself, supplied by whoever received it.
/// </summary>
/// <param name="FallbackService">Service for lines without one (combined always, others when absent).</param>
/// <param name="FallbackHost">Host for lines without one.</param>
/// <param name="ReceivedAt">When the line was received; RFC 3164 takes its year from the candidate closest to it.</param>
/// <param name="DefaultOffset">UTC offset assumed for RFC 3164 timestamps, which carry no zone.</param>
public readonly record struct LogParseContext(
    string? FallbackService,
    string? FallbackHost,
    DateTimeOffset ReceivedAt,
    TimeSpan DefaultOffset)
{
    public const int DefaultMaxLineBytes = 64 * 1024;

    /// <summary>Longer lines are rejected as <see cref="LogParseErrorCode.TooLong"/>; zero or less means the default.</summary>
    public int MaxLineBytes { get; init; } = DefaultMaxLineBytes;

    internal int EffectiveMaxLineBytes => MaxLineBytes > 0 ? MaxLineBytes : DefaultMaxLineBytes;
}
