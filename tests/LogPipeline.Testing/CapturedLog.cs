using Microsoft.Extensions.Logging;

namespace LogPipeline.Testing;

/// <summary>One captured entry: <see cref="Everything"/> is the message, structured values, scopes and exception as text.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, string Message, string Everything);
