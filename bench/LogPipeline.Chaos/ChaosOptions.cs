using System.Globalization;

namespace LogPipeline.Chaos;

/// <summary>What one chaos run does; parsed from the command line.</summary>
public sealed class ChaosOptions
{
    public const string Usage = """
        dotnet run -c Release --project bench/LogPipeline.Chaos -- [options] [--Processor:X=Y --Kafka:Consumer:x=y ...]
          --events N         valid events produced (default 60000)
          --rate R           valid events per second, steady (default 500)
          --poison N         poison records interleaved with them, every kind in turn (default 2000)
          --kills N          kill -9 of a processor at random moments while producing, each restarted at once (default 5)
          --processors P     processors in one consumer group (default 2)
          --store-stop S     SIGSTOP the MariaDB server for S seconds under load, then SIGCONT (default 60; 0: none)
          --store-restart    also kill -9 mariadbd under load and start it again on the same data directory
          --partitions N     partitions of logs.raw and logs.deadletter (default 64)
          --catch-up S       seconds to wait for the processors to catch up after the last record (default 900)
          --seed N           the random moments and the generator's stream (default 7)
          --work DIR         where the processes' logs go (default: a new folder under the temp directory, kept)
        Other --Section:Key=Value settings pass to every processor unchanged.
        """;

    public int Events { get; init; } = 60_000;

    public int Rate { get; init; } = 500;

    public int Poison { get; init; } = 2_000;

    public int Kills { get; init; } = 5;

    public int Processors { get; init; } = 2;

    public TimeSpan StoreStop { get; init; } = TimeSpan.FromSeconds(60);

    public bool StoreRestart { get; init; }

    public int Partitions { get; init; } = 64;

    public TimeSpan CatchUpTimeout { get; init; } = TimeSpan.FromMinutes(15);

    public int Seed { get; init; } = 7;

    public string? WorkFolder { get; init; }

    public Dictionary<string, string?> ProcessorSettings { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Null with a null <paramref name="error"/> for --help; null with an error for a bad argument.</summary>
    public static ChaosOptions? Parse(string[] args, out string? error)
    {
        error = null;
        var o = new ChaosOptions();
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        int? events = null, rate = null, poison = null, kills = null, processors = null, stop = null, partitions = null, catchUp = null, seed = null;
        var restart = false;
        string? work = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                return null;
            }

            if (arg == "--store-restart")
            {
                restart = true;
                continue;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains(':', StringComparison.Ordinal))
            {
                var eq = arg.IndexOf('=', StringComparison.Ordinal);
                if (eq < 0)
                {
                    error = $"{arg} needs =value.";
                    return null;
                }

                settings[arg[2..eq]] = arg[(eq + 1)..];
                continue;
            }

            if (i + 1 >= args.Length)
            {
                error = $"{arg} needs a value.";
                return null;
            }

            var value = args[++i];
            if (arg == "--work")
            {
                work = value;
                continue;
            }

            if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 0)
            {
                error = $"{arg} needs a whole number >= 0; got '{value}'.";
                return null;
            }

            switch (arg)
            {
                case "--events": events = n; break;
                case "--rate": rate = n; break;
                case "--poison": poison = n; break;
                case "--kills": kills = n; break;
                case "--processors": processors = n; break;
                case "--store-stop": stop = n; break;
                case "--partitions": partitions = n; break;
                case "--catch-up": catchUp = n; break;
                case "--seed": seed = n; break;
                default:
                    error = $"Unknown option {arg}.";
                    return null;
            }
        }

        if (events is 0 || rate is 0 || processors is 0 || partitions is 0)
        {
            error = "--events, --rate, --processors and --partitions must be at least 1.";
            return null;
        }

        return new ChaosOptions
        {
            Events = events ?? o.Events,
            Rate = rate ?? o.Rate,
            Poison = poison ?? o.Poison,
            Kills = kills ?? o.Kills,
            Processors = processors ?? o.Processors,
            StoreStop = stop is { } s ? TimeSpan.FromSeconds(s) : o.StoreStop,
            StoreRestart = restart,
            Partitions = partitions ?? o.Partitions,
            CatchUpTimeout = catchUp is { } c ? TimeSpan.FromSeconds(c) : o.CatchUpTimeout,
            Seed = seed ?? o.Seed,
            WorkFolder = work,
            ProcessorSettings = settings,
        };
    }

    /// <summary>The run's parameters in one line, for the report.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Events:N0} events at {Rate:N0}/s, {Poison:N0} poison, {Kills} kills, {Processors} processors, store stop {StoreStop.TotalSeconds:N0} s{(StoreRestart ? ", store kill and restart" : "")}, {Partitions} partitions, seed {Seed}");
}
