using System.Globalization;

namespace LogPipeline.Benchmarks;

/// <summary>The command line: what to run, and processor settings to pass through unchanged.</summary>
internal sealed record BenchmarkOptions(
    IReadOnlyList<BenchStore> Stores,
    int Events,
    int WarmUp,
    int? Rate,
    int Seconds,
    bool AllocationTypes,
    IReadOnlyDictionary<string, string?> ProcessorSettings,
    bool Ingest = false,
    int Batch = 512,
    int Senders = 8,
    bool Queries = false,
    int Days = 7,
    int Repeat = 30,
    string? Data = null)
{
    public const string Usage =
        "usage: LogPipeline.Benchmarks [--store sqlite|mariadb|both] [--events N] [--warm-up W] [--rate R] [--seconds S] [--alloc-types] [--Section:Key=value ...]\n" +
        "       LogPipeline.Benchmarks --queries [--store sqlite|mariadb|both] [--events N] [--days D] [--repeat R] [--data DIR]\n" +
        "       LogPipeline.Benchmarks --ingest [--events N] [--warm-up W] [--batch B] [--senders C] [--alloc-types] [--Ingest:Key=value ...]\n" +
        "  --store    stores to measure (default both)\n" +
        "  --events   timed backlog size for the throughput phase (default 500000)\n" +
        "  --warm-up  events drained before the timed backlog, so that runs on fully optimised code as a long-running processor does (default 100000, with --ingest 500000; 0 times from a cold start)\n" +
        "  --rate     live produce rate for the latency phase, events/s (default: half the rate the throughput phase measured)\n" +
        "  --seconds  length of the latency phase (default 15)\n" +
        "  --alloc-types  also print the managed types allocated most while draining the timed backlog, or while timed with --ingest (sampled)\n" +
        "  --ingest   instead: OTLP/HTTP protobuf exports through the ingest into Kafka; N and W count records\n" +
        "  --batch    records per export with --ingest (default 512)\n" +
        "  --senders  concurrent exports with --ingest (default 8)\n" +
        "  --queries  instead: fill a store with N synthetic events over D days (default 7) through the processor's store code, then time each API route R times (default 30)\n" +
        "  --data     with --queries, keep the filled stores in DIR and reuse them while N and D stay the same\n" +
        "  --Processor:BatchSize=10000, --Kafka:Consumer:fetch.max.bytes=... and other settings go to the processor as configuration.";

    /// <summary>Parses the arguments; null with a sentence in <paramref name="error"/> when they are wrong.</summary>
    public static BenchmarkOptions? Parse(string[] args, out string? error)
    {
        var stores = new List<BenchStore> { BenchStore.Sqlite, BenchStore.MariaDb };
        int events = 500_000, warmUp = -1, seconds = 15;
        int? rate = null;
        var allocationTypes = false;
        var ingest = false;
        int batch = 512, senders = 8;
        var queries = false;
        int days = 7, repeat = 30;
        string? data = null;
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[..eq] : arg;
            string? Value() => eq > 0 ? arg[(eq + 1)..] : i + 1 < args.Length ? args[++i] : null;
            switch (name)
            {
                case "--store":
                    switch (Value()?.ToUpperInvariant())
                    {
                        case "SQLITE": stores = [BenchStore.Sqlite]; break;
                        case "MARIADB": stores = [BenchStore.MariaDb]; break;
                        case "BOTH": stores = [BenchStore.Sqlite, BenchStore.MariaDb]; break;
                        default: error = "--store must be sqlite, mariadb or both."; return null;
                    }

                    break;
                case "--ingest":
                    ingest = true;
                    break;
                case "--queries":
                    queries = true;
                    break;
                case "--data":
                    data = Value();
                    if (string.IsNullOrWhiteSpace(data))
                    {
                        error = "--data needs a folder.";
                        return null;
                    }

                    break;
                case "--days" when TryPositive(Value(), out days):
                case "--repeat" when TryPositive(Value(), out repeat):
                case "--batch" when TryPositive(Value(), out batch):
                case "--senders" when TryPositive(Value(), out senders):
                case "--events" when TryPositive(Value(), out events):
                case "--seconds" when TryPositive(Value(), out seconds):
                    break;
                case "--rate" when TryPositive(Value(), out var fixedRate):
                    rate = fixedRate;
                    break;
                case "--events" or "--rate" or "--seconds" or "--batch" or "--senders" or "--days" or "--repeat":
                    error = $"{name} needs a positive whole number.";
                    return null;
                case "--warm-up":
                    if (!int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out warmUp))
                    {
                        error = "--warm-up needs a whole number (0 for none).";
                        return null;
                    }

                    break;
                case "--alloc-types":
                    allocationTypes = true;
                    break;
                case "-h" or "--help":
                    return null;
                default:
                    if (name.StartsWith("--", StringComparison.Ordinal) && name.Contains(':', StringComparison.Ordinal))
                    {
                        settings[name[2..]] = Value();
                        break;
                    }

                    error = $"Unknown argument '{arg}'.";
                    return null;
            }
        }

        // The ingest's hot path reaches its fully optimised (tier-1, PGO) code later than the processor's:
        // timed after 100,000 records it measured ~85k records/s at ~19 µs, after 500,000 ~155k at ~10 µs.
        if (warmUp < 0)
        {
            warmUp = ingest ? 500_000 : 100_000;
        }

        return new BenchmarkOptions(stores, events, warmUp, rate, seconds, allocationTypes, settings, ingest, batch, senders, queries, days, repeat, data);
    }

    private static bool TryPositive(string? text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;
}
