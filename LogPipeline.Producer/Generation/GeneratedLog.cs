using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using LogPipeline.Formats;
using LogLevel = LogPipeline.Formats.LogLevel;

namespace LogPipeline.Producer.Generation;

/// <summary>One generated event, the format it was written in, and the line itself.</summary>
public readonly record struct GeneratedLog(LogEvent Event, LogFormat Format, string Line);
