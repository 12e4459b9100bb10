using System.Text.Json.Serialization;

namespace LogPipeline.Formats;

/// <summary>Severity, ordered from least to most severe; serialised in lowercase.</summary>
public enum LogLevel
{
    [JsonStringEnumMemberName(LogLevelNames.Trace)] Trace,
    [JsonStringEnumMemberName(LogLevelNames.Debug)] Debug,
    [JsonStringEnumMemberName(LogLevelNames.Info)] Info,
    [JsonStringEnumMemberName(LogLevelNames.Warn)] Warn,
    [JsonStringEnumMemberName(LogLevelNames.Error)] Error,
    [JsonStringEnumMemberName(LogLevelNames.Fatal)] Fatal,
}
