using System.Data.Common;
using LogPipeline.Data;
using static LogPipeline.Processor.Storage.StoreValues;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// Adds a batch's latency histogram deltas to <c>latency_histogram_hour</c>, whose bins are packed in
/// one text per hour and service (<see cref="LatencyHistogram.Pack"/>): SQL cannot add to that, so each
/// hour row the batch touches is read, merged and written back inside the batch's transaction.
/// </summary>
/// <remarks>
/// One key at a time, read then written, in key order: on MariaDB the read is <c>FOR UPDATE</c>, so two
/// writers lock hour rows in the same order, and two services that the table's collation takes for one
/// row (case or trailing spaces) are merged into it one after the other instead of the second
/// overwriting the first. A batch touches about one hour per service, so this is a few round trips.
/// </remarks>
internal sealed class LatencyHourRows
{
    private readonly TableRows<LatencyHistogramHour> _rows;
    private readonly string _select;

    public LatencyHourRows(StoreSqlDialect d)
    {
        _rows = new("latency_histogram_hour", ["bucket_start_utc", "service", "count", "bins"], static (r, v) =>
            {
                v.Add(Utc(r.BucketStartUtc));
                v.Add(Truncate(r.Service, StoreLimits.ServiceLength));
                v.Add(r.Count);
                v.Add(r.Bins);
            },
            d.Upsert(["bucket_start_utc", "service"], [("count", MergeKind.Replace), ("bins", MergeKind.Replace)]));
        _select = $"SELECT bins FROM latency_histogram_hour WHERE bucket_start_utc = @hour AND service = @service{d.ForUpdate}";
    }

    public async Task WriteAsync(DbConnection connection, DbTransaction transaction, List<LatencyHistogramMinute> minutes, CancellationToken ct)
    {
        if (minutes.Count == 0)
        {
            return;
        }

        var hours = new SortedDictionary<(DateTime Hour, string Service), long[]>(Comparer<(DateTime Hour, string Service)>.Create(static (a, b) =>
        {
            var c = a.Hour.CompareTo(b.Hour);
            return c != 0 ? c : string.CompareOrdinal(a.Service, b.Service);
        }));
        foreach (var m in minutes)
        {
            var key = (BatchTables.HourOf(m.BucketStartUtc), Truncate(m.Service, StoreLimits.ServiceLength));
            if (!hours.TryGetValue(key, out var counts))
            {
                hours[key] = counts = new long[LatencyHistogram.BinCount];
            }

            counts[m.Bin] += m.Count;
        }

        var row = new List<LatencyHistogramHour>(1);
        foreach (var ((hour, service), counts) in hours)
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.Transaction = transaction;
                command.CommandText = _select;
                AddParameter(command, "@hour", Utc(hour));
                AddParameter(command, "@service", service);
                if (await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is string stored)
                {
                    LatencyHistogram.AddPacked(stored, counts);
                }
            }

            row.Clear();
            row.Add(new LatencyHistogramHour { BucketStartUtc = hour, Service = service, Count = counts.Sum(), Bins = LatencyHistogram.Pack(counts) });
            await _rows.WriteAsync(connection, transaction, row, ct).ConfigureAwait(false);
        }
    }
}
