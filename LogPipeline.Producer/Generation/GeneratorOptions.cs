using LogPipeline.Formats;

namespace LogPipeline.Producer.Generation;

/// <summary>Shape of the synthetic traffic; bound from <c>Producer:Generator</c>.</summary>
public sealed class GeneratorOptions
{
    public const string SectionName = "Producer:Generator";

    /// <summary>Same seed and same clock readings give the same lines, so a run can be replayed.</summary>
    public int Seed { get; set; } = 42;

    public int Services { get; set; } = 8;

    public int HostsPerService { get; set; } = 3;

    /// <summary>
    /// Relative shares of each format (normalised, so they need not sum to 1). Configuration binding
    /// merges into these defaults, so switch a format off by setting its share to 0.
    /// </summary>
#pragma warning disable CA2227 // The configuration binder and tests replace the whole mix.
    public Dictionary<LogFormat, double> FormatMix { get; set; } = new()
#pragma warning restore CA2227
    {
        [LogFormat.Json] = 0.6,
        [LogFormat.Combined] = 0.15,
        [LogFormat.Rfc5424] = 0.1,
        [LogFormat.Rfc3164] = 0.05,
        [LogFormat.Logfmt] = 0.1,
    };

    /// <summary>Incident k starts at a seed-dependent offset plus k times this, counted from the Unix epoch. Zero disables incidents.</summary>
    public TimeSpan IncidentEvery { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Zero disables incidents.</summary>
    public TimeSpan IncidentDuration { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Share of the incident service's events that are errors while the incident lasts.</summary>
    public double IncidentErrorRate { get; set; } = 0.35;

    /// <summary>How much slower the incident service answers while the incident lasts.</summary>
    public double IncidentLatencyFactor { get; set; } = 8;

    public bool IncidentsEnabled => IncidentEvery > TimeSpan.Zero && IncidentDuration > TimeSpan.Zero;

    /// <summary>Every problem with these options, as sentences for a start-up error; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Services < 1)
        {
            problems.Add($"Services must be at least 1 (is {Services}).");
        }

        if (HostsPerService < 1)
        {
            problems.Add($"HostsPerService must be at least 1 (is {HostsPerService}).");
        }

        if (FormatMix is null || FormatMix.Count == 0)
        {
            problems.Add("FormatMix must give a share to at least one format.");
        }
        else
        {
            foreach (var (format, share) in FormatMix)
            {
                if (!Enum.IsDefined(format))
                {
                    problems.Add($"FormatMix has an unknown format '{format}'; known: {string.Join(", ", Enum.GetNames<LogFormat>())}.");
                }

                if (!double.IsFinite(share) || share < 0)
                {
                    problems.Add($"FormatMix share of {format} must be a non-negative number (is {share}).");
                }
            }

            if (FormatMix.Values.Where(double.IsFinite).Where(s => s > 0).Sum() <= 0)
            {
                problems.Add("FormatMix shares must not all be zero.");
            }
        }

        if (IncidentEvery < TimeSpan.Zero)
        {
            problems.Add($"IncidentEvery must not be negative (is {IncidentEvery}).");
        }

        if (IncidentDuration < TimeSpan.Zero)
        {
            problems.Add($"IncidentDuration must not be negative (is {IncidentDuration}).");
        }

        if (IncidentsEnabled && IncidentDuration >= IncidentEvery)
        {
            problems.Add($"IncidentDuration ({IncidentDuration}) must be shorter than IncidentEvery ({IncidentEvery}).");
        }

        if (!(IncidentErrorRate is >= 0 and <= 1))
        {
            problems.Add($"IncidentErrorRate must be between 0 and 1 (is {IncidentErrorRate}).");
        }

        if (!double.IsFinite(IncidentLatencyFactor) || IncidentLatencyFactor < 1)
        {
            problems.Add($"IncidentLatencyFactor must be at least 1 (is {IncidentLatencyFactor}).");
        }

        return problems;
    }
}
