using System.Globalization;
using System.Text.RegularExpressions;
using LogPipeline.Data;
using LogPipeline.Formats;
using LogLevel = LogPipeline.Formats.LogLevel;

namespace LogPipeline.Api.Infrastructure;

/// <summary>
/// Parsing and checking of the query parameters the endpoints share. Parameters are bound as
/// strings and parsed here, so any bad value is a ValidationProblem naming the field, never the
/// framework's bare 400.
/// </summary>
internal static partial class QueryParsing
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
    public const int MaxSearchLength = 1000;
    public static readonly TimeSpan DefaultRange = TimeSpan.FromHours(1);
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(31);

    public static TimeRange? Range(string? from, string? to, TimeProvider time, TimeSpan maxRange, QueryErrors errors)
    {
        var toValue = Instant(to, "to", errors);
        var fromValue = Instant(from, "from", errors);
        if (errors.Any)
        {
            return null;
        }

        var end = toValue ?? time.GetUtcNow().UtcDateTime;
        if (end == DateTime.MinValue)
        {
            errors.Add("to", "to must be after 0001-01-01T00:00:00Z, the earliest instant.");
            return null;
        }

        // The default range is cut at the earliest instant rather than reaching before it.
        var start = fromValue ?? (end.Ticks > DefaultRange.Ticks ? end - DefaultRange : DateTime.MinValue);
        if (start >= end)
        {
            errors.Add("from", "from must be before to.");
            return null;
        }

        if (end - start > maxRange)
        {
            errors.Add("to", $"The range from from to to can be at most {maxRange.TotalDays:0.##} days.");
            return null;
        }

        return new TimeRange(start, end);
    }

    public static int Limit(string? text, QueryErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultLimit;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"limit must be a whole number from 1 to {MaxLimit}.");
        }

        return limit;
    }

    public static LogLevel? Level(string? text, QueryErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (LogLevelNames.TryParse(text, out var level))
        {
            return level;
        }

        errors.Add("level", $"level must be one of {LogLevelNames.List}.");
        return null;
    }

    public static string? Service(string? text, QueryErrors errors) => ExactText(text, "service", StoreLimits.ServiceLength, errors);

    public static string? Host(string? text, QueryErrors errors) => ExactText(text, "host", StoreLimits.HostLength, errors);

    /// <summary>A value compared exactly with a column: none when blank, an error when longer than the column.</summary>
    private static string? ExactText(string? text, string field, int maxLength, QueryErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (text.Length > maxLength)
        {
            errors.Add(field, $"{field} can be at most {maxLength} characters.");
        }

        return text;
    }

    /// <summary>A fingerprint as the API shows it (<see cref="Fingerprints.Format"/>): 16 hex digits.</summary>
    public static long? Fingerprint(string? text, QueryErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (text.Length != 16 || !ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            errors.Add("fingerprint", "fingerprint must be 16 hexadecimal digits, as /api/errors/top reports it.");
            return null;
        }

        return (long)value;
    }

    public static string? Search(string? text, QueryErrors errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (text.Length > MaxSearchLength)
        {
            errors.Add("q", $"q can be at most {MaxSearchLength} characters.");
        }

        return text;
    }

    public static string? TraceId(string? text, QueryErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!TraceIdPattern().IsMatch(text))
        {
            errors.Add("traceId", "traceId must be 32 hexadecimal digits (a W3C trace id).");
            return null;
        }

        // Stored in lowercase, as W3C trace context writes it.
#pragma warning disable CA1308 // lowercase is the stored form, not a normalisation for comparison
        return text.ToLowerInvariant();
#pragma warning restore CA1308
    }

    /// <summary>
    /// A LIKE pattern matching <paramref name="text"/> anywhere, with the wildcards and the escape
    /// character escaped so the user's text matches literally.
    /// </summary>
    public static string ContainsPattern(string text) =>
        "%" + text.Replace(LikeEscape, LikeEscape + LikeEscape, StringComparison.Ordinal)
            .Replace("%", LikeEscape + "%", StringComparison.Ordinal)
            .Replace("_", LikeEscape + "_", StringComparison.Ordinal) + "%";

    public const string LikeEscape = "\\";

    private static DateTime? Instant(string? text, string field, QueryErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // An unencoded '+' in a query string arrives as a space: "...T10:00:00 02:00".
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            || DateTimeOffset.TryParse(text.Trim().Replace(' ', '+'), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value))
        {
            return value.UtcDateTime;
        }

        errors.Add(field, $"{field} must be an ISO-8601 instant, for example 2025-01-31T13:45:00Z.");
        return null;
    }

    [GeneratedRegex("^[0-9a-fA-F]{32}$")]
    private static partial Regex TraceIdPattern();
}
