using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The host's logs handed to a logger factory of their own, which owns the OTLP exporter: a
/// separate factory, because the OpenTelemetry SDK refuses a signal-specific exporter beside the
/// <c>UseOtlpExporter</c> that sends telemetry to the Aspire dashboard. Disposing it flushes.
/// </summary>
public sealed class OwnLogsLoggerProvider(ILoggerFactory factory) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

    public void Dispose() => factory.Dispose();
}
