using LogLevel = LogPipeline.Kafka.Wire.LogLevel;

namespace LogPipeline.Api.Infrastructure;

/// <summary>The names the API uses for levels and wire formats (lowercase, as on the wire).</summary>
internal static class LogNames
{
    private static readonly string[] Levels = ["trace", "debug", "info", "warn", "error", "fatal"];

    private static readonly string[] Formats = ["json", "combined", "rfc5424", "rfc3164", "logfmt"];

    public static string Level(LogLevel level) => (int)level >= 0 && (int)level < Levels.Length ? Levels[(int)level] : ((int)level).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Format(byte format) => format < Formats.Length ? Formats[format] : format.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParseLevel(string text, out LogLevel level)
    {
        var index = Array.FindIndex(Levels, l => string.Equals(l, text.Trim(), StringComparison.OrdinalIgnoreCase));
        level = (LogLevel)Math.Max(index, 0);
        return index >= 0;
    }

    public static string LevelList => string.Join(", ", Levels);
}
