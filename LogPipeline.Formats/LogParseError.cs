namespace LogPipeline.Formats;

/// <summary>Why a line could not be parsed. <see cref="LogParseErrorCodes.ToCode"/> gives the stable dead-letter string.</summary>
public enum LogParseErrorCode
{
    None,
    Empty,
    InvalidUtf8,
    TooLong,
    UnknownFormat,
    BadJson,
    UnsupportedVersion,
    MissingField,
    BadTimestamp,
    BadLevel,
    BadHttp,

    /// <summary>The format was recognised but the line breaks its syntax (unterminated quote, bad PRI, ...).</summary>
    Malformed,
}

/// <summary>A parse failure: a machine-readable code and a message for humans.</summary>
public readonly record struct LogParseError(LogParseErrorCode Code, string Message)
{
    /// <summary>The stable lowercase-kebab reason, e.g. <c>bad-timestamp</c>.</summary>
    public string ReasonCode => Code.ToCode();

    public override string ToString() => $"{ReasonCode}: {Message}";
}

public static class LogParseErrorCodes
{
    /// <summary>
    /// The stable string for a code. These go into dead-letter headers and dashboards, so never rename
    /// one; add new codes instead.
    /// </summary>
    public static string ToCode(this LogParseErrorCode code) => code switch
    {
        LogParseErrorCode.None => "none",
        LogParseErrorCode.Empty => "empty",
        LogParseErrorCode.InvalidUtf8 => "invalid-utf8",
        LogParseErrorCode.TooLong => "too-long",
        LogParseErrorCode.UnknownFormat => "unknown-format",
        LogParseErrorCode.BadJson => "bad-json",
        LogParseErrorCode.UnsupportedVersion => "unsupported-version",
        LogParseErrorCode.MissingField => "missing-field",
        LogParseErrorCode.BadTimestamp => "bad-timestamp",
        LogParseErrorCode.BadLevel => "bad-level",
        LogParseErrorCode.BadHttp => "bad-http",
        LogParseErrorCode.Malformed => "malformed",
        _ => "unknown",
    };
}
