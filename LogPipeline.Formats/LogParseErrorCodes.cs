namespace LogPipeline.Formats;

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
