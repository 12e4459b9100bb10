using LogPipeline.Formats;

namespace LogPipeline.Producer.Generation;

/// <summary>One generated event, the format it was written in, and the line itself.</summary>
public readonly record struct GeneratedLog(LogEvent Event, LogFormat Format, string Line);
