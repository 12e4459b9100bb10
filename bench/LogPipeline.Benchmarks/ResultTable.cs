using System.Globalization;

namespace LogPipeline.Benchmarks;

/// <summary>The results as a Markdown table, one row a store.</summary>
internal static class ResultTable
{
    private static readonly string[] Headers =
        ["store", "warm-up", "events", "seconds", "events/s", "start-up s", "store busy", "cpu µs/event", "alloc B/event", "live produced/s", "p50 ms", "p99 ms"];

    public static void Write(TextWriter output, IEnumerable<BenchmarkResult> results)
    {
        var rows = results.Select(r => new[]
        {
            r.Store.ToString().ToLowerInvariant(),
            Format($"{r.WarmUpEvents:N0}"),
            Format($"{r.Events:N0}"),
            Format($"{r.Seconds:0.00}"),
            Format($"{r.EventsPerSecond:N0}"),
            Format($"{r.StartupSeconds:0.00}"),
            Format($"{r.StoreBusyShare:P0}"),
            Format($"{r.CpuMicrosecondsPerEvent:0.0}"),
            Format($"{r.AllocatedBytesPerEvent:N0}"),
            Format($"{r.LiveProduceRate:N0}"),
            Format($"{r.P50Ms:0.0}"),
            Format($"{r.P99Ms:0.0}"),
        }).ToList();
        var widths = Headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        output.WriteLine(Line(Headers, widths));
        output.WriteLine(Line(widths.Select(w => new string('-', w)).ToArray(), widths));
        foreach (var row in rows)
        {
            output.WriteLine(Line(row, widths));
        }
    }

    private static string Line(string[] cells, int[] widths) =>
        "| " + string.Join(" | ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))) + " |";

    private static string Format(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
