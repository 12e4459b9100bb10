using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using LogPipeline.Formats;
using LogLevel = LogPipeline.Formats.LogLevel;

namespace LogPipeline.Producer.Generation;

/// <summary>
/// Realistic, deterministic log traffic: a fleet of services and hosts in several time zones, HTTP
/// access events with long-tailed latencies, templated application messages and scheduled incidents.
/// Everything random comes from the seed; the only input is the clock reading passed to
/// <see cref="Next"/>, so the same seed and the same readings replay the same lines. Not thread-safe:
/// one generator per producing loop.
/// </summary>
public sealed class SyntheticLogGenerator
{
    private const double InfoHttpShare = 0.85;
    private const double WarnHttpShare = 0.6;
    private const double ErrorHttpShare = 0.6;

    /// <summary>Prior for the share of HTTP events, before enough have been generated to measure it.</summary>
    private const double HttpSharePrior = 0.69;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private readonly SplitMix _random;
    private readonly Service[] _services;
    private readonly WeightedChoice _serviceChoice;
    private readonly WeightedChoice _levelChoice;
    private readonly WeightedChoice _calmLevelChoice;
    private readonly WeightedChoice _infoStatus = new(Vocabulary.InfoStatusWeights);
    private readonly WeightedChoice _warnStatus = new(Vocabulary.WarnStatusWeights);
    private readonly WeightedChoice _errorStatus = new(Vocabulary.ErrorStatusWeights);
    private readonly double _combinedShare;
    private readonly LogFormat[] _otherFormats;
    private readonly WeightedChoice? _otherFormatChoice;
    private readonly ulong _incidentSeed;
    private readonly long _incidentEvery;
    private readonly long _incidentDuration;
    private readonly long _incidentOffset;
    private readonly double _incidentErrorRate;
    private readonly double _incidentLatencyFactor;
    private long _generated;
    private long _httpGenerated;

    public SyntheticLogGenerator(GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid generator options: " + string.Join(" ", problems), nameof(options));
        }

        var seed = (ulong)(uint)options.Seed;
        _random = new SplitMix(seed);
        var fleetRandom = new SplitMix(SplitMix.Mix(seed ^ 0xF1EE7UL));
        _services = [.. Enumerable.Range(0, options.Services).Select(i => CreateService(i, options.HostsPerService, fleetRandom))];
        _serviceChoice = new WeightedChoice(_services.Select(s => s.Weight));
        _levelChoice = new WeightedChoice(Vocabulary.LevelWeights);
        _calmLevelChoice = new WeightedChoice(Vocabulary.LevelWeights.Select((w, i) => (LogLevel)i >= LogLevel.Error ? 0 : w));

        var total = options.FormatMix.Values.Sum();
        _combinedShare = options.FormatMix.GetValueOrDefault(LogFormat.Combined) / total;
        _otherFormats = [.. options.FormatMix.Where(p => p.Key != LogFormat.Combined && p.Value > 0).Select(p => p.Key).Order()];
        _otherFormatChoice = _otherFormats.Length > 0 ? new WeightedChoice(_otherFormats.Select(f => options.FormatMix[f])) : null;

        _incidentSeed = SplitMix.Mix(seed ^ 0x1C1DE47UL);
        _incidentEvery = options.IncidentsEnabled ? options.IncidentEvery.Ticks : 0;
        _incidentDuration = options.IncidentDuration.Ticks;
        var slack = (long)(options.IncidentEvery - options.IncidentDuration).TotalSeconds;
        _incidentOffset = _incidentEvery > 0 && slack > 0 ? (long)(_incidentSeed % (ulong)slack) * TimeSpan.TicksPerSecond : 0;
        _incidentErrorRate = options.IncidentErrorRate;
        _incidentLatencyFactor = options.IncidentLatencyFactor;
    }

    /// <summary>The services of the fleet, in the order their traffic weight falls.</summary>
    public IReadOnlyList<string> ServiceNames => [.. _services.Select(s => s.Name)];

    /// <summary>All host names, for tests and dashboards.</summary>
    public IReadOnlyList<string> HostNames => [.. _services.SelectMany(s => s.Hosts).Select(h => h.Name)];

    /// <summary>
    /// Whether an incident is under way at <paramref name="at"/>, and which service it hits. Incident k
    /// runs from <c>epoch + offset + k * IncidentEvery</c> for <c>IncidentDuration</c>, where the offset
    /// and the service come from the seed.
    /// </summary>
    public bool IsIncident(DateTimeOffset at, [NotNullWhen(true)] out string? service)
    {
        service = IncidentAt(at, out _)?.Name;
        return service is not null;
    }

    public GeneratedLog Next(DateTimeOffset now)
    {
        var service = _services[_serviceChoice.Draw(_random)];
        var host = _random.Pick(service.Hosts);
        var incident = IncidentAt(now, out var incidentKey) == service;
        var level = incident
            ? _random.Chance(_incidentErrorRate) ? LogLevel.Error : (LogLevel)_calmLevelChoice.Draw(_random)
            : (LogLevel)_levelChoice.Draw(_random);
        var isHttp = level switch
        {
            LogLevel.Info => _random.Chance(InfoHttpShare),
            LogLevel.Warn => _random.Chance(WarnHttpShare),
            LogLevel.Error => _random.Chance(ErrorHttpShare),
            _ => false,
        };

        // An incident has one cause: most of its errors blame the same dependency.
        var culprit = incident ? Vocabulary.Dependencies[(int)(SplitMix.Mix(_incidentSeed + (ulong)incidentKey) % (ulong)Vocabulary.Dependencies.Length)] : null;
        var attributes = new Dictionary<string, string>(6);
        HttpInfo? http = null;
        string message;
        if (isHttp)
        {
            (http, var probe) = Request(service, level, incident);
            attributes[WireAttributes.ClientIp] = _random.Chance(0.7)
                ? string.Create(Inv, $"10.{_random.Next(256)}.{_random.Next(256)}.{_random.Next(1, 255)}")
                : string.Create(Inv, $"{_random.Pick(PublicPrefixes)}.{_random.Next(1, 255)}");
            attributes[WireAttributes.UserAgent] = probe ? Vocabulary.ProbeUserAgent : _random.Pick(Vocabulary.UserAgents);
            if (!probe && _random.Chance(0.15))
            {
                attributes[WireAttributes.Referer] = _random.Pick(Vocabulary.Referers);
            }

            message = level == LogLevel.Error ? ErrorMessage(culprit, http.Status, http.DurationMs) : $"{http.Method} {http.Path} HTTP/1.1";
        }
        else
        {
            message = level switch
            {
                LogLevel.Trace => TraceMessage(service),
                LogLevel.Debug => DebugMessage(),
                LogLevel.Info => InfoMessage(service),
                LogLevel.Warn => WarnMessage(),
                LogLevel.Error => ErrorMessage(culprit, 500, _random.LogNormal(800, 1)),
                _ => FatalMessage(),
            };
        }

        attributes["region"] = host.Region;
        if (http?.Path != Vocabulary.Health.Path && _random.Chance(isHttp ? 0.6 : 0.25))
        {
            attributes["user_id"] = string.Create(Inv, $"u-{_random.Next(1, 250_000)}");
        }

        attributes[WireAttributes.Pid] = host.Pid;
        var traced = _random.Chance(isHttp ? 0.95 : 0.8);
        var timestamp = now.ToOffset(host.Offset);
        var e = new LogEvent
        {
            Timestamp = timestamp.AddTicks(-(timestamp.Ticks % 10)),
            Service = service.Name,
            Host = host.Name,
            Level = level,
            Message = message,
            Http = http,
            TraceId = traced ? _random.Hex(32) : null,
            SpanId = traced ? _random.Hex(16) : null,
            Attributes = attributes,
        };
        var format = ChooseFormat(isHttp);
        if (format == LogFormat.Rfc3164)
        {
            // BSD syslog has no zone: its senders here log in UTC, the zone the processor assumes
            // for it (Processor:SyslogDefaultOffset), so the line means the same instant.
            e = e with { Timestamp = e.Timestamp.ToUniversalTime() };
        }

        return new GeneratedLog(e, format, LogFormatter.Format(e, format));
    }

    private static readonly string[] PublicPrefixes = ["203.0.113", "198.51.100", "192.0.2", "100.64.12"];

    private Service? IncidentAt(DateTimeOffset at, out long key)
    {
        key = 0;
        if (_incidentEvery == 0)
        {
            return null;
        }

        var ticks = at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks - _incidentOffset;
        key = ticks >= 0 ? ticks / _incidentEvery : ((ticks + 1) / _incidentEvery) - 1;
        return ticks - (key * _incidentEvery) < _incidentDuration
            ? _services[(int)(SplitMix.Mix(_incidentSeed ^ (ulong)key) % (ulong)_services.Length)]
            : null;
    }

    /// <summary>
    /// Combined can only carry HTTP events, so HTTP events take it more often than its share, by the
    /// measured HTTP share, which keeps every format's overall share at its configured value.
    /// </summary>
    private LogFormat ChooseFormat(bool isHttp)
    {
        _generated++;
        if (isHttp)
        {
            _httpGenerated++;
            if (_combinedShare > 0)
            {
                var httpShare = (_httpGenerated + (100 * HttpSharePrior)) / (_generated + 100.0);
                if (_random.NextDouble() * httpShare < _combinedShare)
                {
                    return LogFormat.Combined;
                }
            }
        }

        // REVIEW: with a mix of only Combined, non-HTTP events have nowhere to go; JSON carries everything.
        return _otherFormatChoice is null ? LogFormat.Json : _otherFormats[_otherFormatChoice.Draw(_random)];
    }

    private (HttpInfo Http, bool Probe) Request(Service service, LogLevel level, bool incident)
    {
        var endpoint = service.Endpoints[service.EndpointChoice.Draw(_random)];

        // Probes succeed; a failing request is a real endpoint's.
        if (endpoint == Vocabulary.Health && level != LogLevel.Info)
        {
            endpoint = service.Endpoints[0];
        }

        var probe = endpoint == Vocabulary.Health;
        var status = level switch
        {
            LogLevel.Error => Vocabulary.ErrorStatuses[_errorStatus.Draw(_random)],
            LogLevel.Warn => Vocabulary.WarnStatuses[_warnStatus.Draw(_random)],
            _ => Vocabulary.InfoStatuses[_infoStatus.Draw(_random)],
        };
        var duration = _random.LogNormal(service.MedianMs * endpoint.LatencyFactor, service.Sigma);

        // Rare stalls (GC, lock waits, cold caches) make the multi-second tail every real service has.
        if (_random.Chance(0.004))
        {
            duration *= _random.Next(15, 80);
        }

        if (status == 504)
        {
            duration = 10_000 + _random.Next(20_000) + duration;
        }

        if (incident)
        {
            duration *= _incidentLatencyFactor;
        }

        var bytes = status is 204 or 304 ? 0
            : status >= 400 ? _random.Next(60, 400)
            : probe ? 2
            : (long)_random.LogNormal(endpoint.TypicalBytes, 0.5);
        var http = new HttpInfo { Method = endpoint.Method, Path = Instantiate(endpoint.Path, service.Name), Status = probe ? 200 : status, DurationMs = Math.Round(duration, 3), Bytes = bytes };
        return (http, probe);
    }

    private string Instantiate(string template, string service)
    {
        if (!template.Contains('{', StringComparison.Ordinal))
        {
            return template;
        }

        // Only the placeholders present draw random values, so a template's draws do not depend on the others.
        var path = Fill(template, "{service}", () => service);
        path = Fill(path, "{id}", () => Id().ToString(Inv));
        path = Fill(path, "{sku}", () => string.Create(Inv, $"SKU-{_random.Next(10_000, 99_999)}"));
        path = Fill(path, "{uuid}", Uuid);
        path = Fill(path, "{term}", () => _random.Pick(Vocabulary.SearchTerms));
        return Fill(path, "{zip}", () => _random.Next(10_000, 99_999).ToString(Inv));

        static string Fill(string path, string placeholder, Func<string> value)
            => path.Contains(placeholder, StringComparison.Ordinal) ? path.Replace(placeholder, value(), StringComparison.Ordinal) : path;
    }

    /// <summary>Ids skewed towards small values, like real auto-increment keys with hot recent rows.</summary>
    private int Id() => (int)Math.Min(int.MaxValue, Math.Exp(_random.NextDouble() * 13.5)) + 1;

    private string Uuid()
    {
        var h = _random.Hex(32);
        return $"{h[..8]}-{h[8..12]}-4{h[13..16]}-a{h[17..20]}-{h[20..]}";
    }

    private string TraceMessage(Service service) => _random.Next(3) switch
    {
        0 => string.Create(Inv, $"Entering {service.Name} handler with {_random.Next(1, 6)} arguments"),
        1 => string.Create(Inv, $"Cache lookup {service.Name}:{Id()} hit"),
        _ => string.Create(Inv, $"Span {_random.Hex(16)} finished in {_random.Next(5, 900)} us"),
    };

    private string DebugMessage() => _random.Next(4) switch
    {
        0 => string.Create(Inv, $"Cache miss for key {_random.Pick(Vocabulary.Tables)}:{Id()}"),
        1 => string.Create(Inv, $"Loaded {_random.Next(1, 500)} rows from {_random.Pick(Vocabulary.Tables)} in {_random.Next(1, 80)} ms"),
        2 => string.Create(Inv, $"Retrying {_random.Pick(Vocabulary.Dependencies)} call, attempt {_random.Next(2, 4)}"),
        _ => string.Create(Inv, $"Feature flag new-checkout evaluated to {(_random.Chance(0.5) ? "true" : "false")} for user u-{Id()}"),
    };

    private string InfoMessage(Service service) => _random.Next(4) switch
    {
        0 => string.Create(Inv, $"Order {Id()} placed by user u-{Id()}, total {_random.Next(5, 900)}.{_random.Next(100):00} EUR"),
        1 => string.Create(Inv, $"Job cleanup-sessions removed {_random.Next(0, 5000)} rows in {_random.Next(20, 4000)} ms"),
        2 => string.Create(Inv, $"Consumer rebalanced, assigned {_random.Next(1, 13)} partitions of {_random.Pick(Vocabulary.Topics)}"),
        _ => $"Configuration reloaded from /etc/{service.Name}/appsettings.json",
    };

    private string WarnMessage() => _random.Next(5) switch
    {
        0 => string.Create(Inv, $"Slow query on {_random.Pick(Vocabulary.Tables)} took {_random.Next(500, 9000)} ms (rows {_random.Next(1, 100_000)})"),
        1 => string.Create(Inv, $"Retry {_random.Next(1, 5)}/5 calling {_random.Pick(Vocabulary.Dependencies)} after {_random.Next(100, 3000)} ms"),
        2 => string.Create(Inv, $"Connection pool for {_random.Pick(Vocabulary.Dependencies)} at {_random.Next(80, 100)}% capacity"),
        3 => string.Create(Inv, $"Rate limit close for client 10.{_random.Next(256)}.{_random.Next(256)}.{_random.Next(1, 255)}: {_random.Next(900, 1000)} requests in 60 s"),
        _ => string.Create(Inv, $"Certificate for {_random.Pick(Vocabulary.Dependencies)} expires in {_random.Next(1, 30)} days"),
    };

    /// <param name="culprit">During an incident, the dependency most errors blame.</param>
    private string ErrorMessage(string? culprit, int status, double durationMs)
    {
        if (culprit is not null && _random.Chance(0.7))
        {
            return string.Create(Inv, $"Timeout after {(int)durationMs + 1000} ms calling {culprit} for order {Id()}");
        }

        var dependency = _random.Pick(Vocabulary.Dependencies);
        return _random.Next(8) switch
        {
            0 => string.Create(Inv, $"Timeout after {(int)durationMs + 1000} ms calling {dependency} for order {Id()}"),
            1 => string.Create(Inv, $"Deadlock detected on table {_random.Pick(Vocabulary.Tables)} (tx 0x{_random.Hex(4)})"),
            2 => string.Create(Inv, $"Connection refused by {dependency} at 10.{_random.Next(256)}.{_random.Next(256)}.{_random.Next(1, 255)}:{_random.Pick(Ports)}"),
            3 => string.Create(Inv, $"Payment {Uuid()} declined by gateway: code {_random.Next(1, 60)}"),
            4 => $"Unhandled {_random.Pick(Exceptions)} in request pipeline (request {_random.Hex(12)})",
            5 => string.Create(Inv, $"Failed to publish event {Uuid()} to {_random.Pick(Vocabulary.Topics)} after {_random.Next(3, 10)} retries"),
            6 => string.Create(Inv, $"Upstream {dependency} returned {status} after {(int)durationMs} ms"),
            _ => string.Create(Inv, $"Circuit breaker open for {dependency}: {_random.Next(5, 50)} failures in last 30 s"),
        };
    }

    private string FatalMessage() => _random.Chance(0.5)
        ? string.Create(Inv, $"Out of memory: heap {_random.Next(900, 4000)} MB exceeds limit {_random.Pick(HeapLimits)} MB")
        : $"Lost connection to {_random.Pick(Vocabulary.Dependencies)}, shutting down";

    private static readonly int[] Ports = [5432, 6379, 9092, 9200, 443, 25];
    private static readonly int[] HeapLimits = [1024, 2048, 4096];
    private static readonly string[] Exceptions = ["NullReferenceException", "InvalidOperationException", "TaskCanceledException"];

    private static Service CreateService(int index, int hostsPerService, SplitMix random)
    {
        var names = Vocabulary.ServiceNames;
        var name = index < names.Length ? names[index] : GeneratedName(index - names.Length);
        var endpoints = Vocabulary.Endpoints.TryGetValue(name, out var known) ? known : Vocabulary.GenericEndpoints;
        endpoints = [.. endpoints, Vocabulary.Health];

        // Kubernetes-style names: one pod-template hash per service, an ordinal per host.
        var hash = random.Hex(4);
        var hosts = Enumerable.Range(0, hostsPerService).Select(h =>
        {
            var (offset, region) = random.Pick(Vocabulary.Zones);
            return new Host($"{name}-{hash}-{h}", offset, region, random.Next(1000, 65000).ToString(Inv));
        }).ToArray();

        return new Service(
            name,
            Weight: 1.0 / Math.Pow(index + 1, 0.7),
            MedianMs: 8 + (random.NextDouble() * 40),
            Sigma: 0.5 + (random.NextDouble() * 0.4),
            endpoints,
            new WeightedChoice(endpoints.Select(e => e.Weight)),
            hosts);
    }

    private static string GeneratedName(int k)
    {
        var names = Vocabulary.ServiceNames;
        var roles = Vocabulary.ServiceRoles;
        var name = $"{names[k % names.Length]}-{roles[k / names.Length % roles.Length]}";
        var cycle = k / (names.Length * roles.Length);
        return cycle == 0 ? name : string.Create(Inv, $"{name}-{cycle + 1}");
    }

    private sealed record Host(string Name, TimeSpan Offset, string Region, string Pid);

    private sealed record Service(string Name, double Weight, double MedianMs, double Sigma, Endpoint[] Endpoints, WeightedChoice EndpointChoice, Host[] Hosts);
}
