using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace LogPipeline.Kafka;

internal static partial class KafkaLog
{
    [LoggerMessage(EventId = 1001, Message = "librdkafka {ClientName} [{Facility}]: {Text}")]
    public static partial void Native(ILogger logger, LogLevel level, string clientName, string facility, string text);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Kafka client {ClientName} error {Code}: {Reason} ({Suppressed} errors not logged since the last line; logged once a minute while they go on)")]
    public static partial void ClientError(ILogger logger, string clientName, ErrorCode code, string reason, long suppressed);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Critical, Message = "Kafka client {ClientName} fatal error {Code}: {Reason}")]
    public static partial void FatalClientError(ILogger logger, string clientName, ErrorCode code, string reason);

    [LoggerMessage(EventId = 1005, Message = "librdkafka {ClientName} [{Facility}]: {Text} ({Suppressed} warnings not logged since the last line; logged once a minute while they go on)")]
    public static partial void NativeThrottled(ILogger logger, LogLevel level, string clientName, string facility, string text, long suppressed);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Unreadable librdkafka statistics from {ClientName}")]
    public static partial void BadStatistics(ILogger logger, string clientName, Exception exception);

    public static LogLevel ToLogLevel(SyslogLevel level) => level switch
    {
        SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
        SyslogLevel.Error => LogLevel.Error,
        SyslogLevel.Warning => LogLevel.Warning,
        SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };
}
