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
