namespace LogPipeline.Formats;

/// <summary>
/// The lowercase names of the levels, defined here once: the wire JSON (<see cref="LogLevel"/>'s
/// attributes), the text formats, and the API's parameters and answers all use these.
/// </summary>
public static class LogLevelNames
{
    public const string Trace = "trace";
    public const string Debug = "debug";
    public const string Info = "info";
    public const string Warn = "warn";
    public const string Error = "error";
    public const string Fatal = "fatal";

    // Indexed by the level's value.
    private static readonly string[] Names = [Trace, Debug, Info, Warn, Error, Fatal];

    /// <summary>"trace, debug, info, warn, error, fatal": for error messages.</summary>
    public static string List { get; } = string.Join(", ", Names);

    /// <summary>The level's name; a value outside the enum (a store row written by something else) as its number.</summary>
    public static string Name(LogLevel level) =>
        (int)level >= 0 && (int)level < Names.Length ? Names[(int)level] : ((int)level).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A level by its exact name, ignoring case and surrounding white space (no aliases: those are the parsers' job).</summary>
    public static bool TryParse(string text, out LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(text);
        var index = Array.FindIndex(Names, n => string.Equals(n, text.Trim(), StringComparison.OrdinalIgnoreCase));
        level = (LogLevel)Math.Max(index, 0);
        return index >= 0;
    }
}
