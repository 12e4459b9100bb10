using System.Globalization;

namespace LogPipeline.Benchmarks;

/// <summary>The results as Markdown tables, one row a store: the pipeline, then the store alone.</summary>
internal static class ResultTable
{
    private static readonly string[] PipelineHeaders =
        ["store", "warm-up", "events", "seconds", "events/s", "of store alone", "start-up s", "store busy", "processor cpu µs/event", "of which jit", "server cpu µs/event", "broker cpu µs/event", "alloc B/event", "peak RSS MB", "live events/s", "p50 ms", "p99 ms"];

    private static readonly string[] StoreAloneHeaders =
        ["store alone", "events", "rows/transaction", "seconds", "events/s", "cpu µs/event", "server cpu µs/event"];

    public static void Write(TextWriter output, IReadOnlyList<BenchmarkResult> results)
    {
        WriteTable(output, PipelineHeaders, results.Select(r => new[]
        {
            Name(r.Store),
            Format($"{r.WarmUpEvents:N0}"),
            Format($"{r.Events:N0}"),
            Format($"{r.Seconds:0.00}"),
            Format($"{r.EventsPerSecond:N0}"),
            Format($"{r.ShareOfStoreAlone:P0}"),
            Format($"{r.StartupSeconds:0.00}"),
            Format($"{r.StoreBusyShare:P0}"),
            Format($"{r.CpuMicrosecondsPerEvent:0.0}"),
            Format($"{r.JitMicrosecondsPerEvent:0.0}"),
            Optional(r.ServerCpuMicrosecondsPerEvent),
            Format($"{r.BrokerCpuMicrosecondsPerEvent:0.0}"),
            Format($"{r.AllocatedBytesPerEvent:N0}"),
            Format($"{r.PeakResidentBytes / 1048576.0:N0}"),
            Format($"{r.LiveProduceRate:N0}"),
            Format($"{r.P50Ms:0.0}"),
            Format($"{r.P99Ms:0.0}"),
        }));
        output.WriteLine();
        WriteTable(output, StoreAloneHeaders, results.Select(r => r.StoreAlone).Select(a => new[]
        {
            Name(a.Store),
            Format($"{a.Events:N0}"),
            Format($"{a.RowsPerTransaction:N0}"),
            Format($"{a.Seconds:0.00}"),
            Format($"{a.EventsPerSecond:N0}"),
            Format($"{a.CpuMicrosecondsPerEvent:0.0}"),
            Optional(a.ServerCpuMicrosecondsPerEvent),
        }));
    }

    private static void WriteTable(TextWriter output, string[] headers, IEnumerable<string[]> cells)
    {
        var rows = cells.ToList();
        var widths = headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        output.WriteLine(Line(headers, widths));
        output.WriteLine(Line(widths.Select(w => new string('-', w)).ToArray(), widths));
        foreach (var row in rows)
        {
            output.WriteLine(Line(row, widths));
        }
    }

    private static string Name(BenchStore store) => store.ToString().ToLowerInvariant();

    /// <summary>"-" where a number does not apply (a MariaDB server's CPU for SQLite).</summary>
    private static string Optional(double? value) => value is { } v ? Format($"{v:0.0}") : "-";

    private static string Line(string[] cells, int[] widths) =>
        "| " + string.Join(" | ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))) + " |";

    private static string Format(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
