namespace LogPipeline.Chaos;

/// <summary>
/// One aggregate table set against the raw rows it summarises, key by key: after kills, fencing and
/// store outages every count must still be what the stored events give, not only the total.
/// </summary>
/// <param name="Table">The aggregate table.</param>
/// <param name="Keys">How many keys the raw rows give.</param>
/// <param name="Differing">Keys whose count differs, or that only one side has.</param>
public sealed record RollupCheck(string Table, long Keys, long Differing)
{
    // Buckets as whole minutes, five minutes or hours since the epoch on both sides: log_events.minute_bucket is
    // the former (migration 0003), the aggregates hold the bucket's start time.
    private const string Minute = "TIMESTAMPDIFF(MINUTE, '1970-01-01', bucket_start_utc)";
    private const string Hour = "TIMESTAMPDIFF(HOUR, '1970-01-01', bucket_start_utc)";
    private const string RawHour = "minute_bucket DIV 60";
    private const string FiveMinutes = "TIMESTAMPDIFF(MINUTE, '1970-01-01', bucket_start_utc) DIV 5";
    private const string RawFiveMinutes = "minute_bucket DIV 5";

    // The processor's rules (BatchAggregator): volume, status and latency count on-time events only;
    // error minutes and hours count every fingerprinted event (late ones too, like the raw rows);
    // error_fingerprints the on-time ones. Latency bins are not computable in SQL, so the histograms
    // are checked by their count per minute (five minutes, hour) and service.
    private static readonly (string Table, string Aggregate, string Raw)[] Queries =
    [
        ("volume_minute",
            $"SELECT {Minute}, service, level, CAST(SUM(count) AS SIGNED) FROM volume_minute GROUP BY 1, 2, 3",
            "SELECT minute_bucket, service, level, COUNT(*) FROM log_events WHERE is_late = 0 GROUP BY 1, 2, 3"),
        ("volume_hour",
            $"SELECT {Hour}, service, level, CAST(SUM(count) AS SIGNED) FROM volume_hour GROUP BY 1, 2, 3",
            $"SELECT {RawHour}, service, level, COUNT(*) FROM log_events WHERE is_late = 0 GROUP BY 1, 2, 3"),
        ("volume_5m",
            $"SELECT {FiveMinutes}, service, level, CAST(SUM(count) AS SIGNED) FROM volume_5m GROUP BY 1, 2, 3",
            $"SELECT {RawFiveMinutes}, service, level, COUNT(*) FROM log_events WHERE is_late = 0 GROUP BY 1, 2, 3"),
        ("http_status_minute",
            $"SELECT {Minute}, service, status_class, CAST(SUM(count) AS SIGNED) FROM http_status_minute GROUP BY 1, 2, 3",
            "SELECT minute_bucket, service, http_status DIV 100, COUNT(*) FROM log_events WHERE is_late = 0 AND http_status IS NOT NULL GROUP BY 1, 2, 3"),
        ("latency_histogram_minute",
            $"SELECT {Minute}, service, CAST(SUM(count) AS SIGNED) FROM latency_histogram_minute GROUP BY 1, 2",
            "SELECT minute_bucket, service, COUNT(*) FROM log_events WHERE is_late = 0 AND http_status IS NOT NULL GROUP BY 1, 2"),
        ("latency_histogram_hour",
            $"SELECT {Hour}, service, CAST(SUM(count) AS SIGNED) FROM latency_histogram_hour GROUP BY 1, 2",
            $"SELECT {RawHour}, service, COUNT(*) FROM log_events WHERE is_late = 0 AND http_status IS NOT NULL GROUP BY 1, 2"),
        ("latency_histogram_5m",
            $"SELECT {FiveMinutes}, service, CAST(SUM(count) AS SIGNED) FROM latency_histogram_5m GROUP BY 1, 2",
            $"SELECT {RawFiveMinutes}, service, COUNT(*) FROM log_events WHERE is_late = 0 AND http_status IS NOT NULL GROUP BY 1, 2"),
        ("error_minute",
            $"SELECT {Minute}, service, fingerprint, CAST(SUM(count) AS SIGNED) FROM error_minute GROUP BY 1, 2, 3",
            "SELECT minute_bucket, service, fingerprint, COUNT(*) FROM log_events WHERE fingerprint IS NOT NULL GROUP BY 1, 2, 3"),
        ("error_hour",
            $"SELECT {Hour}, service, fingerprint, CAST(SUM(count) AS SIGNED) FROM error_hour GROUP BY 1, 2, 3",
            $"SELECT {RawHour}, service, fingerprint, COUNT(*) FROM log_events WHERE fingerprint IS NOT NULL GROUP BY 1, 2, 3"),
        ("error_fingerprints",
            "SELECT service, fingerprint, CAST(SUM(count) AS SIGNED) FROM error_fingerprints GROUP BY 1, 2",
            "SELECT service, fingerprint, COUNT(*) FROM log_events WHERE is_late = 0 AND fingerprint IS NOT NULL GROUP BY 1, 2"),
    ];

    public static async Task<IReadOnlyList<RollupCheck>> RunAsync(LogPipeline.Testing.StoreQueries store)
    {
        var checks = new List<RollupCheck>();
        foreach (var (table, aggregate, raw) in Queries)
        {
            var keys = await store.ScalarAsync($"SELECT COUNT(*) FROM ({raw}) r");
            var differing = await store.ScalarAsync(
                $"SELECT (SELECT COUNT(*) FROM (SELECT * FROM ({aggregate}) a EXCEPT SELECT * FROM ({raw}) r) d) + " +
                $"(SELECT COUNT(*) FROM (SELECT * FROM ({raw}) r EXCEPT SELECT * FROM ({aggregate}) a) d)");
            checks.Add(new RollupCheck(table, keys, differing));
        }

        return checks;
    }
}
