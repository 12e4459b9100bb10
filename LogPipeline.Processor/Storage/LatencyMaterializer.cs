using LogPipeline.Data;
using static LogPipeline.Processor.Storage.StoreValues;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// Turns closed minutes' latency histograms into <c>latency_minute</c> percentiles, for the window
/// closer. Reads and writes in one transaction, so it is idempotent and safe to run again.
/// </summary>
public sealed class LatencyMaterializer
{
    private readonly ProcessorStore _store;
    private readonly TableRows<LatencyMinute> _rows;

    public LatencyMaterializer(ProcessorStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _rows = new("latency_minute", ["bucket_start_utc", "service", "count", "p50_ms", "p95_ms", "p99_ms"], static (r, v) =>
            {
                v.Add(Utc(r.BucketStartUtc));
                v.Add(r.Service); // read from the store, so it fits
                v.Add(r.Count);
                v.Add(r.P50Ms);
                v.Add(r.P95Ms);
                v.Add(r.P99Ms);
            },
            store.Dialect.Upsert(["bucket_start_utc", "service"],
                [("count", MergeKind.Replace), ("p50_ms", MergeKind.Replace), ("p95_ms", MergeKind.Replace), ("p99_ms", MergeKind.Replace)]),
            static (a, b) =>
            {
                var c = a.BucketStartUtc.CompareTo(b.BucketStartUtc);
                return c != 0 ? c : string.CompareOrdinal(a.Service, b.Service);
            });
    }

    /// <summary>
    /// Computes count, p50, p95 and p99 for every (minute, service) in [<paramref name="fromMinuteUtc"/>,
    /// <paramref name="toMinuteUtc"/>) that has histogram rows, from its summed bins, and upserts
    /// <c>latency_minute</c>. Idempotent; returns the number of (minute, service) rows written.
    /// </summary>
    public async Task<int> MaterializeLatencyAsync(DateTime fromMinuteUtc, DateTime toMinuteUtc, CancellationToken ct)
    {
        var from = Utc(fromMinuteUtc);
        var to = Utc(toMinuteUtc);
        if (to <= from)
        {
            return 0;
        }

        return await _store.RunAsync(async (connection, token) =>
        {
            var transaction = await _store.Dialect.BeginAsync(connection, token).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var bins = new Dictionary<(DateTime Minute, string Service), List<(int Bin, long Count)>>();
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.Transaction = transaction;
                    command.CommandText = "SELECT bucket_start_utc, service, bin, count FROM latency_histogram_minute " +
                        "WHERE bucket_start_utc >= @from AND bucket_start_utc < @to";
                    AddParameter(command, "@from", from);
                    AddParameter(command, "@to", to);
                    var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(token).ConfigureAwait(false))
                        {
                            var key = (ReadUtc(reader, 0), reader.GetString(1));
                            if (!bins.TryGetValue(key, out var list))
                            {
                                bins[key] = list = [];
                            }

                            list.Add((ToInt32(reader.GetValue(2)), ToInt64(reader.GetValue(3))));
                        }
                    }
                }

                var rows = bins
                    .Select(b => (b.Key.Minute, b.Key.Service, Count: b.Value.Sum(x => x.Count), Bins: b.Value))
                    .Where(r => r.Count > 0)
                    .Select(r => new LatencyMinute
                    {
                        BucketStartUtc = r.Minute,
                        Service = r.Service,
                        Count = r.Count,
                        P50Ms = LatencyHistogram.Percentile(r.Bins, 0.50),
                        P95Ms = LatencyHistogram.Percentile(r.Bins, 0.95),
                        P99Ms = LatencyHistogram.Percentile(r.Bins, 0.99),
                    })
                    .ToList();

                await _rows.WriteAsync(connection, transaction, rows, token).ConfigureAwait(false);
                await transaction.CommitAsync(token).ConfigureAwait(false);
                return rows.Count;
            }
        }, ct).ConfigureAwait(false);
    }
}
