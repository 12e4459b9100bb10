namespace LogPipeline.Formats;

/// <summary>A parse failure: a machine-readable code and a message for humans.</summary>
public readonly record struct LogParseError(LogParseErrorCode Code, string Message)
{
    /// <summary>The stable lowercase-kebab reason, e.g. <c>bad-timestamp</c>.</summary>
    public string ReasonCode => Code.ToCode();

    public override string ToString() => $"{ReasonCode}: {Message}";
}
