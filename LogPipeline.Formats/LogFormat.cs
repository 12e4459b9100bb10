namespace LogPipeline.Formats;

/// <summary>The line formats a log event can travel in; see <see cref="LogFormatter"/> for what each carries.</summary>
public enum LogFormat
{
    /// <summary>The <see cref="LogEvent"/> JSON contract, version 1: carries every field.</summary>
    Json,

    /// <summary>nginx/Apache "combined" access log with nginx <c>$request_time</c> appended.</summary>
    Combined,

    /// <summary>IETF syslog (RFC 5424) with structured data.</summary>
    Rfc5424,

    /// <summary>BSD syslog (RFC 3164): no year, no zone.</summary>
    Rfc3164,

    /// <summary>Heroku/Go-kit style <c>key=value</c> pairs.</summary>
    Logfmt,
}
