// REVIEW: placeholder until the generator branch is merged; replaced by the real generator.
using LogPipeline.Kafka.Wire;

namespace LogPipeline.Producer.Generation;

public enum LogFormat { Json, Combined, Rfc5424, Rfc3164, Logfmt }

public readonly record struct GeneratedLog(LogEvent Event, LogFormat Format, string Line);

public sealed class GeneratorOptions
{
    public int Seed { get; set; } = 42;

    public IReadOnlyList<string> Validate() => [];
}

public sealed class SyntheticLogGenerator(GeneratorOptions options)
{
    private long n;

    public GeneratedLog Next(DateTimeOffset now)
    {
        n++;
        var e = new LogEvent { Timestamp = now, Service = "svc" + (n % 3), Host = "h", Level = LogPipeline.Kafka.Wire.LogLevel.Info, Message = "m" + n + options.Seed, TraceId = n.ToString("x32", System.Globalization.CultureInfo.InvariantCulture), SpanId = n.ToString("x16", System.Globalization.CultureInfo.InvariantCulture) };
        return new GeneratedLog(e, LogFormat.Json, System.Text.Json.JsonSerializer.Serialize(e, WireJsonContext.Default.LogEvent));
    }
}
