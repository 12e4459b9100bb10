using System.Text.RegularExpressions;
using LogPipeline.Formats;
using LogPipeline.Producer.Generation;
using LogPipeline.Tests.Wire;

namespace LogPipeline.Tests.Generation;

public sealed partial class SyntheticLogGeneratorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private static GeneratorOptions Calm(int seed = 42) => new() { Seed = seed, IncidentEvery = TimeSpan.Zero };

    /// <summary>One event per millisecond from <see cref="Start"/>.</summary>
    private static List<GeneratedLog> Generate(GeneratorOptions options, int count, TimeSpan? step = null)
    {
        var generator = new SyntheticLogGenerator(options);
        var tick = step ?? TimeSpan.FromMilliseconds(1);
        return [.. Enumerable.Range(0, count).Select(i => generator.Next(Start + (tick * i)))];
    }

    [Fact]
    public void SameSeedAndClockGiveTheSameLines()
    {
        var a = Generate(new GeneratorOptions(), 5000);
        var b = Generate(new GeneratorOptions(), 5000);
        Assert.Equal(a.Select(g => g.Line), b.Select(g => g.Line));
        Assert.Equal(a.Select(g => g.Format), b.Select(g => g.Format));
    }

    [Fact]
    public void DifferentSeedsGiveDifferentLines()
    {
        var a = Generate(new GeneratorOptions { Seed = 1 }, 1000);
        var b = Generate(new GeneratorOptions { Seed = 2 }, 1000);
        Assert.True(a.Zip(b).Count(p => p.First.Line != p.Second.Line) > 990);
        Assert.NotEqual(new SyntheticLogGenerator(new() { Seed = 1 }).HostNames, new SyntheticLogGenerator(new() { Seed = 2 }).HostNames);
    }

    [Fact]
    public void LevelMixIsCloseToTheTarget()
    {
        var logs = Generate(Calm(), 100_000);
        double Share(LogLevel level) => logs.Count(g => g.Event.Level == level) / (double)logs.Count;
        Assert.InRange(Share(LogLevel.Trace), 0.015, 0.025);
        Assert.InRange(Share(LogLevel.Debug), 0.09, 0.11);
        Assert.InRange(Share(LogLevel.Info), 0.69, 0.73);
        Assert.InRange(Share(LogLevel.Warn), 0.11, 0.13);
        Assert.InRange(Share(LogLevel.Error), 0.045, 0.055);
        Assert.InRange(Share(LogLevel.Fatal), 0.0003, 0.002);
        Assert.InRange(logs.Count(g => g.Event.Http is not null) / (double)logs.Count, 0.6, 0.75);
    }

    [Fact]
    public void LatenciesHaveALongTail()
    {
        var durations = Generate(Calm(), 100_000).Where(g => g.Event.Http is not null).Select(g => g.Event.Http!.DurationMs).Order().ToArray();
        var p50 = durations[durations.Length / 2];
        var p99 = durations[(int)(durations.Length * 0.99)];
        Assert.True(p99 > 8 * p50, $"p50 {p50} ms, p99 {p99} ms");
        Assert.True(durations[^1] > 2000, $"max {durations[^1]} ms");
        Assert.All(durations, d => Assert.True(d >= 0));
    }

    [Fact]
    public void StatusCodesAreMostlySuccessfulWithSomeClientAndFewServerErrors()
    {
        var statuses = Generate(Calm(), 50_000).Where(g => g.Event.Http is not null).Select(g => g.Event.Http!.Status).ToArray();
        Assert.InRange(statuses.Count(s => s < 400) / (double)statuses.Length, 0.8, 0.92);
        Assert.InRange(statuses.Count(s => s is >= 400 and < 500) / (double)statuses.Length, 0.07, 0.14);
        Assert.InRange(statuses.Count(s => s >= 500) / (double)statuses.Length, 0.02, 0.06);
    }

    [Fact]
    public void TheIncidentServiceFailsDuringItsWindowOnly()
    {
        var options = new GeneratorOptions { IncidentEvery = TimeSpan.FromMinutes(10), IncidentDuration = TimeSpan.FromSeconds(90), IncidentErrorRate = 0.35 };
        var generator = new SyntheticLogGenerator(options);

        // Find an incident window by the generator's own schedule, then sample during and after it.
        var at = Start;
        while (!generator.IsIncident(at, out _))
        {
            at += TimeSpan.FromSeconds(1);
        }

        Assert.True(generator.IsIncident(at, out var service));
        Assert.False(generator.IsIncident(at - TimeSpan.FromSeconds(1), out _));
        Assert.True(generator.IsIncident(at + TimeSpan.FromSeconds(89), out var same));
        Assert.Equal(service, same);
        Assert.False(generator.IsIncident(at + TimeSpan.FromSeconds(90), out _));
        Assert.True(generator.IsIncident(at + TimeSpan.FromMinutes(10), out _));

        double ErrorRate(IEnumerable<GeneratedLog> logs)
        {
            var mine = logs.Where(g => g.Event.Service == service).ToArray();
            return mine.Count(g => g.Event.Level >= LogLevel.Error) / (double)mine.Length;
        }

        double MedianLatency(IEnumerable<GeneratedLog> logs)
        {
            var d = logs.Where(g => g.Event.Service == service && g.Event.Http is not null).Select(g => g.Event.Http!.DurationMs).Order().ToArray();
            return d[d.Length / 2];
        }

        // 60k events across 89 s of the incident, then 60k across the following 5 minutes.
        var during = Enumerable.Range(0, 60_000).Select(i => generator.Next(at + TimeSpan.FromTicks(TimeSpan.FromSeconds(89).Ticks * i / 60_000))).ToArray();
        var after = Enumerable.Range(0, 60_000).Select(i => generator.Next(at + TimeSpan.FromSeconds(91) + TimeSpan.FromTicks(TimeSpan.FromMinutes(5).Ticks * i / 60_000))).ToArray();
        Assert.InRange(ErrorRate(during), 0.31, 0.39);
        Assert.InRange(ErrorRate(after), 0.035, 0.07);
        Assert.True(MedianLatency(during) > 4 * MedianLatency(after), $"{MedianLatency(during)} vs {MedianLatency(after)}");
        var others = during.Where(g => g.Event.Service != service).ToArray();
        Assert.InRange(others.Count(g => g.Event.Level >= LogLevel.Error) / (double)others.Length, 0.035, 0.07);
    }

    [Fact]
    public void DisabledIncidentsNeverHappen()
    {
        var generator = new SyntheticLogGenerator(Calm());
        for (var t = Start; t < Start.AddHours(2); t += TimeSpan.FromSeconds(7))
        {
            Assert.False(generator.IsIncident(t, out _));
        }
    }

    [Fact]
    public void FormatSharesFollowTheMix()
    {
        var options = Calm();
        var logs = Generate(options, 100_000);
        var total = options.FormatMix.Values.Sum();
        foreach (var (format, share) in options.FormatMix)
        {
            Assert.InRange(logs.Count(g => g.Format == format) / (double)logs.Count, (share / total) - 0.01, (share / total) + 0.01);
        }

        Assert.All(logs.Where(g => g.Format == LogFormat.Combined), g => Assert.NotNull(g.Event.Http));
    }

    [Fact]
    public void OnlyCombinedStillProducesLinesForNonHttpEvents()
    {
        var logs = Generate(new GeneratorOptions { FormatMix = new() { [LogFormat.Combined] = 1 } }, 2000);
        Assert.All(logs, g => Assert.Equal(g.Event.Http is null ? LogFormat.Json : LogFormat.Combined, g.Format));
    }

    [Fact]
    public void EveryLineParsesBackToTheFieldsItsFormatCarries()
    {
        foreach (var log in Generate(new GeneratorOptions { Seed = 7, Services = 20 }, 20_000, TimeSpan.FromMilliseconds(50)))
        {
            var context = WireExpectations.ContextFor(log.Event);
            Assert.True(LogParser.TryParse(log.Line, context, out var parsed, out var format, out var error), $"{error} in {log.Line}");
            Assert.Equal(log.Format, format);
            WireAssert.Same(WireExpectations.Expected(log.Event, log.Format, context), parsed);
        }
    }

    [Fact]
    public void ErrorMessagesFingerprintToFewTemplates()
    {
        var templates = Generate(new GeneratorOptions(), 100_000, TimeSpan.FromMilliseconds(20))
            .Where(g => g.Event.Level >= LogLevel.Error)
            .Select(g => Fingerprint(g.Event.Message))
            .ToHashSet();
        Assert.InRange(templates.Count, 10, 59);
    }

    [Fact]
    public void FleetHasNamedServicesAndHostsInSeveralZones()
    {
        var generator = new SyntheticLogGenerator(new GeneratorOptions { Services = 20, HostsPerService = 3 });
        Assert.Equal(20, generator.ServiceNames.Distinct().Count());
        Assert.Equal(["checkout", "payments", "catalog"], generator.ServiceNames.Take(3));
        Assert.Contains("checkout-worker", generator.ServiceNames);
        Assert.Equal(60, generator.HostNames.Distinct().Count());
        Assert.All(generator.HostNames, h => Assert.Matches("^[a-z-]+-[0-9a-f]{4}-[0-9]+$", h));
        var offsets = Generate(new GeneratorOptions { Services = 20 }, 5000).Select(g => g.Event.Timestamp.Offset).Distinct().ToArray();
        Assert.True(offsets.Length >= 4, string.Join(", ", offsets));
        Assert.Contains(TimeSpan.Zero, offsets);
    }

    [Fact]
    public void ValidateReportsEveryProblem()
    {
        Assert.Empty(new GeneratorOptions().Validate());
        var problems = new GeneratorOptions
        {
            Services = 0,
            HostsPerService = -1,
            FormatMix = new() { [(LogFormat)99] = 1, [LogFormat.Json] = -2 },
            IncidentEvery = TimeSpan.FromSeconds(30),
            IncidentDuration = TimeSpan.FromMinutes(1),
            IncidentErrorRate = 1.5,
            IncidentLatencyFactor = double.NaN,
        }.Validate();
        Assert.Equal(7, problems.Count);
        Assert.Contains(problems, p => p.Contains("unknown format", StringComparison.Ordinal));
        Assert.Contains("FormatMix must give a share to at least one format.", new GeneratorOptions { FormatMix = [] }.Validate());
        Assert.Throws<ArgumentException>(() => new SyntheticLogGenerator(new GeneratorOptions { Services = 0 }));
    }

    /// <summary>What a fingerprinter does: GUIDs, hex and digit runs become placeholders.</summary>
    private static string Fingerprint(string message)
        => Digits().Replace(Hex().Replace(Guid().Replace(message, "<guid>"), "<hex>"), "<n>");

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Guid();

    [GeneratedRegex(@"0x[0-9a-f]+|\b[0-9a-f]{8,}\b")]
    private static partial Regex Hex();

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Digits();
}
