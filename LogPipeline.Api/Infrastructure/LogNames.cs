using LogPipeline.Formats;

namespace LogPipeline.Api.Infrastructure;

/// <summary>The names the API uses for wire formats (lowercase, as on the wire); level names are <see cref="LogLevelNames"/>.</summary>
internal static class LogNames
{
    private static readonly string[] Formats = ["json", "combined", "rfc5424", "rfc3164", "logfmt"];

    public static string Format(byte format) => format < Formats.Length ? Formats[format] : format.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
