using System.Data.Common;
using LogPipeline.Data;
using LogLevel = LogPipeline.Formats.LogLevel;

namespace LogPipeline.Testing;

/// <summary>Reads what the processor stored with plain SQL, on either engine.</summary>
public sealed class StoreQueries(StoreProvider provider, string connectionString)
{
    public StoreProvider Provider { get; } = provider;

    public string ConnectionString { get; } = connectionString;

    /// <summary>An empty store named after <paramref name="name"/>: a SQLite file in <paramref name="folder"/>, or a new database of <paramref name="mariaDb"/>.</summary>
    public static StoreQueries Empty(StoreProvider provider, TempFolder folder, MariaDbServer mariaDb, string name) => provider == StoreProvider.Sqlite
        ? new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(folder.Path, name + ".db")}")
        : new StoreQueries(StoreProvider.MariaDb, mariaDb.CreateDatabase(name));

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Applies the schema migrations, as the processor does at start, to an empty store.</summary>
    public async Task MigrateAsync()
    {
        await using var connection = await OpenAsync();
        await new SchemaMigrator(Provider).MigrateAsync(connection);
    }

    /// <summary>Records an error-rate anomaly of <paramref name="service"/> as the processor records one (open when <paramref name="endedAt"/> is null).</summary>
    public async Task AddAnomalyAsync(string service, DateTime startedAt, DateTime? endedAt)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText =
            "INSERT INTO anomalies (service, kind, started_at_utc, ended_at_utc, observed, expected, updated_at_utc) VALUES (@service, 'error-rate', @start, @end, 0.4, 0.05, @start)";
        foreach (var (name, value) in new (string, object?)[] { ("@service", service), ("@start", startedAt), ("@end", endedAt) })
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        await command.ExecuteNonQueryAsync();
    }

    public Task<long> RawCountAsync() => ScalarAsync("SELECT COUNT(*) FROM log_events");

    /// <summary>The rows <paramref name="sql"/> selects, read by column name.</summary>
    public async Task<List<StoreRow>> RowsAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await StoreRow.ReadAllAsync(command);
    }

    public async Task<Dictionary<(DateTime Minute, string Service, LogLevel Level), (long Count, long Bytes)>> VolumeAsync() =>
        (await RowsAsync("SELECT bucket_start_utc, service, level, count, bytes FROM volume_minute"))
            .ToDictionary(r => (r.Time("bucket_start_utc"), r.Text("service"), (LogLevel)r.Long("level")), r => (r.Long("count"), r.Long("bytes")));

    public async Task<Dictionary<(DateTime Minute, string Service, short StatusClass), long>> HttpStatusAsync() =>
        (await RowsAsync("SELECT bucket_start_utc, service, status_class, count FROM http_status_minute"))
            .ToDictionary(r => (r.Time("bucket_start_utc"), r.Text("service"), Convert.ToInt16(r["status_class"], null)), r => r.Long("count"));

    public async Task<Dictionary<(DateTime Minute, string Service, short Bin), long>> LatencyHistogramAsync() =>
        (await RowsAsync("SELECT bucket_start_utc, service, bin, count FROM latency_histogram_minute"))
            .ToDictionary(r => (r.Time("bucket_start_utc"), r.Text("service"), Convert.ToInt16(r["bin"], null)), r => r.Long("count"));

    public async Task<Dictionary<string, long>> FingerprintCountsByServiceAsync() =>
        (await RowsAsync("SELECT service, SUM(count) AS count FROM error_fingerprints GROUP BY service"))
            .ToDictionary(r => r.Text("service"), r => r.Long("count"));

    /// <summary>Waits until the raw table holds <paramref name="count"/> rows (or the timeout passes) and returns the count.</summary>
    public Task<long> WaitForRawCountAsync(long count, TimeSpan timeout) =>
        WaitForCountAsync("SELECT COUNT(*) FROM log_events", count, timeout);

    /// <summary>Waits until <paramref name="countSql"/> gives at least <paramref name="count"/> (or the timeout passes) and returns the last answer.</summary>
    public async Task<long> WaitForCountAsync(string countSql, long count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        long seen;
        while ((seen = await TryScalarAsync(countSql)) < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        return seen;
    }

    private async Task<long> TryScalarAsync(string sql)
    {
        try
        {
            return await ScalarAsync(sql);
        }
        catch (DbException)
        {
            return -1; // schema not there yet, or the server is down for an outage test
        }
    }

    private async Task<DbConnection> OpenAsync() => await new StoreConnectionFactory(Provider, ConnectionString).OpenAsync();

    // SQLite returns DATETIME columns as text; MariaDB as DateTime.
    /// <summary>A stored time as UTC: MariaDB gives a DateTime, SQLite the text Microsoft.Data.Sqlite wrote.</summary>
    public static DateTime Time(object value) => value switch
    {
        DateTime d => DateTime.SpecifyKind(d, DateTimeKind.Utc),
        string s => DateTime.SpecifyKind(DateTime.Parse(s, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc),
        _ => throw new InvalidOperationException("not a time: " + value),
    };
}
