using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace LogPipeline.Testing;

/// <summary>
/// Keeps every log entry a host writes, as everything an exporter could send: the formatted message,
/// the structured values (OTLP exports them as attributes), the scopes and the exception.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLog> _logs = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<CapturedLog> Logs => [.. _logs];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private static void Append(StringBuilder text, object? state)
    {
        if (state is IEnumerable<KeyValuePair<string, object?>> values)
        {
            foreach (var (key, value) in values)
            {
                text.Append(" | ").Append(key).Append('=').Append(value);
            }
        }
        else
        {
            text.Append(" | ").Append(state);
        }
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            var everything = new StringBuilder(message);
            Append(everything, state);
            owner._scopes.ForEachScope((scope, text) => Append(text, scope), everything);
            if (exception is not null)
            {
                everything.Append(" | ").Append(exception);
            }

            owner._logs.Enqueue(new CapturedLog(category, logLevel, message, everything.ToString()));
        }
    }
}
