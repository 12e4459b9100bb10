using System.Data.Common;
using LogPipeline.Data;
using MySqlConnector;
using static LogPipeline.Processor.Storage.StoreValues;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// The tables a batch writes, each with its columns, binder, conflict clause and key order
/// (<see cref="TableRows{T}"/>). Values are cut to the store's limits here and nowhere before, and
/// rows are put in key order here and nowhere before.
/// </summary>
/// <remarks>
/// Aggregates are upserts that add the batch's deltas to the stored row; dead letters keep the row
/// already stored for their source position (the first one recorded stands); raw events are plain
/// inserts, where a duplicate source position fails the batch: the offsets fence makes it a bug.
/// </remarks>
internal sealed class BatchTables
{
    /// <summary>Raw events: the same on both engines (no conflict clause), bulk-loaded on MariaDB.</summary>
    public static readonly TableRows<LogEventRow> Events = new("log_events",
    [
        "source_topic", "source_partition", "source_offset", "timestamp_utc", "utc_offset_minutes", "received_at_utc",
        "service", "host", "level", "message", "format", "http_method", "http_path", "http_status", "http_duration_ms", "http_bytes",
        "trace_id", "span_id", "fingerprint", "attributes_json", "is_late",
    ], BindEvent);

    private static readonly BatchTables Sqlite = new(StoreSqlDialect.Sqlite);
    private static readonly BatchTables MariaDb = new(StoreSqlDialect.MariaDb);

    private BatchTables(StoreSqlDialect d)
    {
        Volume = VolumeRows<VolumeMinute>("volume_minute", d);

        HttpStatus = new("http_status_minute", ["bucket_start_utc", "service", "status_class", "count"], static (r, v) =>
            {
                v.Add(Utc(r.BucketStartUtc));
                v.Add(Truncate(r.Service, StoreLimits.ServiceLength));
                v.Add(r.StatusClass);
                v.Add(r.Count);
            },
            d.Upsert(["bucket_start_utc", "service", "status_class"], [("count", MergeKind.Add)]),
            static (a, b) => Compare(a.BucketStartUtc, a.Service, a.StatusClass, b.BucketStartUtc, b.Service, b.StatusClass));

        LatencyHistogram = new("latency_histogram_minute", ["bucket_start_utc", "service", "bin", "count"], static (r, v) =>
            {
                v.Add(Utc(r.BucketStartUtc));
                v.Add(Truncate(r.Service, StoreLimits.ServiceLength));
                v.Add(r.Bin);
                v.Add(r.Count);
            },
            d.Upsert(["bucket_start_utc", "service", "bin"], [("count", MergeKind.Add)]),
            static (a, b) => Compare(a.BucketStartUtc, a.Service, a.Bin, b.BucketStartUtc, b.Service, b.Bin));

        Fingerprints = new("error_fingerprints",
            ["service", "fingerprint", "template", "count", "first_seen_utc", "last_seen_utc", "sample_message", "level"], static (r, v) =>
            {
                v.Add(Truncate(r.Service, StoreLimits.ServiceLength));
                v.Add(r.Fingerprint);
                v.Add(Truncate(r.Template, StoreLimits.TextLength));
                v.Add(r.Count);
                v.Add(Utc(r.FirstSeenUtc));
                v.Add(Utc(r.LastSeenUtc));
                v.Add(Truncate(r.SampleMessage, StoreLimits.TextLength));
                v.Add((byte)r.Level);
            },
            d.Upsert(["service", "fingerprint"], [("count", MergeKind.Add), ("first_seen_utc", MergeKind.Min), ("last_seen_utc", MergeKind.Max)]),
            static (a, b) =>
            {
                var c = string.CompareOrdinal(a.Service, b.Service);
                return c != 0 ? c : a.Fingerprint.CompareTo(b.Fingerprint);
            });

        Pipeline = new("pipeline_minute", ["bucket_start_utc", "events_in", "events_stored", "late_events", "dead_letters"], static (r, v) =>
            {
                v.Add(Utc(r.BucketStartUtc));
                v.Add(r.EventsIn);
                v.Add(r.EventsStored);
                v.Add(r.LateEvents);
                v.Add(r.DeadLetters);
            },
            d.Upsert(["bucket_start_utc"],
                [("events_in", MergeKind.Add), ("events_stored", MergeKind.Add), ("late_events", MergeKind.Add), ("dead_letters", MergeKind.Add)]),
            static (a, b) => a.BucketStartUtc.CompareTo(b.BucketStartUtc));

        VolumeHours = VolumeRows<VolumeHour>("volume_hour", d);
        VolumeFiveMinutes = VolumeRows<VolumeFiveMinutes>("volume_5m", d);

        ErrorHours = ErrorRows<ErrorHour>("error_hour", d);
        ErrorMinutes = ErrorRows<ErrorMinute>("error_minute", d);

        LatencyHours = new LatencyRollupRows<LatencyHistogramHour>("latency_histogram_hour", TimeSpan.FromHours(1),
            static (t, s, bins) => new LatencyHistogramHour { BucketStartUtc = t, Service = s, Bins = bins }, d);
        LatencyFiveMinutes = new LatencyRollupRows<LatencyHistogramFiveMinutes>("latency_histogram_5m", TimeSpan.FromMinutes(5),
            static (t, s, bins) => new LatencyHistogramFiveMinutes { BucketStartUtc = t, Service = s, Bins = bins }, d);

        DeadLetters = new("dead_letters",
            ["source_topic", "source_partition", "source_offset", "reason", "detail", "record_key", "host", "value_size", "value_sha256", "preview",
             "record_time_utc", "dead_lettered_at_utc"], static (r, v) =>
            {
                v.Add(Truncate(r.SourceTopic, StoreLimits.TopicLength));
                v.Add(r.SourcePartition);
                v.Add(r.SourceOffset);
                v.Add(Truncate(r.Reason, StoreLimits.DeadLetterReasonLength));
                v.Add(Truncate(r.Detail, StoreLimits.DeadLetterDetailLength));
                v.Add(TruncateOrNull(r.RecordKey, StoreLimits.DeadLetterKeyLength));
                v.Add(TruncateOrNull(r.Host, StoreLimits.DeadLetterKeyLength));
                v.Add(r.ValueSize);
                v.Add(r.ValueSha256);
                v.Add(Truncate(r.Preview, StoreLimits.DeadLetterPreviewLength));
                v.Add(Utc(r.RecordTimeUtc));
                v.Add(Utc(r.DeadLetteredAtUtc));
            },
            d.Ignore(["source_topic", "source_partition", "source_offset"]),
            static (a, b) =>
            {
                var c = string.CompareOrdinal(a.SourceTopic, b.SourceTopic);
                c = c != 0 ? c : a.SourcePartition.CompareTo(b.SourcePartition);
                return c != 0 ? c : a.SourceOffset.CompareTo(b.SourceOffset);
            });

        Offsets = new("consumer_offsets", ["group_id", "topic", d.PartitionColumn, "next_offset", "watermark_utc", "updated_at_utc"], static (r, v) =>
            {
                v.Add(Truncate(r.GroupId, StoreLimits.GroupIdLength));
                v.Add(Truncate(r.Progress.Topic, StoreLimits.TopicLength));
                v.Add(r.Progress.Partition);
                v.Add(r.Progress.NextOffset);
                v.Add(UtcOrNull(r.Progress.WatermarkUtc));
                v.Add(r.UpdatedAtUtc);
            },
            d.Upsert(["group_id", "topic", d.PartitionColumn],
                [("next_offset", MergeKind.Replace), ("watermark_utc", MergeKind.ReplaceUnlessNull), ("updated_at_utc", MergeKind.Replace)]),
            static (a, b) => OffsetOrder(a.Progress, b.Progress));
    }

    public TableRows<VolumeMinute> Volume { get; }

    public TableRows<HttpStatusMinute> HttpStatus { get; }

    public TableRows<LatencyHistogramMinute> LatencyHistogram { get; }

    public TableRows<ErrorFingerprint> Fingerprints { get; }

    public TableRows<PipelineMinute> Pipeline { get; }

    public TableRows<VolumeHour> VolumeHours { get; }

    public TableRows<VolumeFiveMinutes> VolumeFiveMinutes { get; }

    public TableRows<ErrorHour> ErrorHours { get; }

    public TableRows<ErrorMinute> ErrorMinutes { get; }

    public LatencyRollupRows<LatencyHistogramHour> LatencyHours { get; }

    public LatencyRollupRows<LatencyHistogramFiveMinutes> LatencyFiveMinutes { get; }

    public TableRows<DeadLetterRow> DeadLetters { get; }

    public TableRows<StoredProgress> Offsets { get; }

    public static BatchTables For(StoreSqlDialect dialect) => dialect == StoreSqlDialect.MariaDb ? MariaDb : Sqlite;

    /// <summary>The key order of <c>consumer_offsets</c> within a group: topic, then partition.</summary>
    public static int OffsetOrder(PartitionProgress a, PartitionProgress b)
    {
        var c = string.CompareOrdinal(a.Topic, b.Topic);
        return c != 0 ? c : a.Partition.CompareTo(b.Partition);
    }

    /// <summary>The batch's rows, offsets excepted (the writer stores those last, after checking them).</summary>
    public async Task WriteRowsAsync(DbConnection connection, DbTransaction transaction, StoreBatch batch, CancellationToken ct)
    {
        if (connection is MySqlConnection mySql)
        {
            await Events.BulkLoadAsync(mySql, batch.Events, ct).ConfigureAwait(false);
        }
        else
        {
            await Events.WriteAsync(connection, transaction, batch.Events, ct).ConfigureAwait(false);
        }

        await Volume.WriteAsync(connection, transaction, batch.Volume, ct).ConfigureAwait(false);
        await HttpStatus.WriteAsync(connection, transaction, batch.HttpStatus, ct).ConfigureAwait(false);
        await LatencyHistogram.WriteAsync(connection, transaction, batch.LatencyHistogram, ct).ConfigureAwait(false);
        await Fingerprints.WriteAsync(connection, transaction, batch.Fingerprints, ct).ConfigureAwait(false);
        await Pipeline.WriteAsync(connection, transaction, batch.Pipeline, ct).ConfigureAwait(false);

        // The hourly and five-minute rollups, from the same deltas in the same transaction: a rollup row
        // is always the sum of its minutes.
        await VolumeHours.WriteAsync(connection, transaction, VolumeRollup(batch.Volume, TimeSpan.TicksPerHour, static (t, s, l) => new VolumeHour { BucketStartUtc = t, Service = s, Level = l }), ct).ConfigureAwait(false);
        await VolumeFiveMinutes.WriteAsync(connection, transaction, VolumeRollup(batch.Volume, FiveMinuteTicks, static (t, s, l) => new VolumeFiveMinutes { BucketStartUtc = t, Service = s, Level = l }), ct).ConfigureAwait(false);
        await LatencyHours.WriteAsync(connection, transaction, batch.LatencyHistogram, ct).ConfigureAwait(false);
        await LatencyFiveMinutes.WriteAsync(connection, transaction, batch.LatencyHistogram, ct).ConfigureAwait(false);
        await ErrorHours.WriteAsync(connection, transaction, batch.ErrorHours, ct).ConfigureAwait(false);
        await ErrorMinutes.WriteAsync(connection, transaction, batch.ErrorMinutes, ct).ConfigureAwait(false);
        await DeadLetters.WriteAsync(connection, transaction, batch.DeadLetters, ct).ConfigureAwait(false);
    }

    /// <summary>volume_minute's and volume_hour's rows: one shape, keyed by bucket, service and level.</summary>
    private static TableRows<T> VolumeRows<T>(string table, StoreSqlDialect d)
        where T : VolumeBucket => new(table, ["bucket_start_utc", "service", "level", "count", "bytes"], static (r, v) =>
            {
                v.Add(Utc(r.BucketStartUtc));
                v.Add(Truncate(r.Service, StoreLimits.ServiceLength));
                v.Add((byte)r.Level);
                v.Add(r.Count);
                v.Add(r.Bytes);
            },
            d.Upsert(["bucket_start_utc", "service", "level"], [("count", MergeKind.Add), ("bytes", MergeKind.Add)]),
            static (a, b) => Compare(a.BucketStartUtc, a.Service, (int)a.Level, b.BucketStartUtc, b.Service, (int)b.Level));

    /// <summary>error_hour's and error_minute's rows: one shape, keyed by bucket, service and fingerprint.</summary>
    private static TableRows<T> ErrorRows<T>(string table, StoreSqlDialect d)
        where T : ErrorBucket => new(table, ["bucket_start_utc", "service", "fingerprint", "count", "first_seen_utc", "last_seen_utc"], static (r, v) =>
            {
                v.Add(Utc(r.BucketStartUtc));
                v.Add(Truncate(r.Service, StoreLimits.ServiceLength));
                v.Add(r.Fingerprint);
                v.Add(r.Count);
                v.Add(Utc(r.FirstSeenUtc));
                v.Add(Utc(r.LastSeenUtc));
            },
            d.Upsert(["bucket_start_utc", "service", "fingerprint"], [("count", MergeKind.Add), ("first_seen_utc", MergeKind.Min), ("last_seen_utc", MergeKind.Max)]),
            static (a, b) =>
            {
                var c = a.BucketStartUtc.CompareTo(b.BucketStartUtc);
                c = c != 0 ? c : string.CompareOrdinal(a.Service, b.Service);
                return c != 0 ? c : a.Fingerprint.CompareTo(b.Fingerprint);
            });

    private const long FiveMinuteTicks = 5 * TimeSpan.TicksPerMinute;

    /// <summary>The volume deltas summed per bucket of <paramref name="ticks"/> (services compared ordinally, as the minute deltas were grouped).</summary>
    private static List<T> VolumeRollup<T>(List<VolumeMinute> minutes, long ticks, Func<DateTime, string, LogPipeline.Formats.LogLevel, T> create)
        where T : VolumeBucket
    {
        var buckets = new Dictionary<(DateTime, string, LogPipeline.Formats.LogLevel), T>();
        foreach (var m in minutes)
        {
            var start = TimeBuckets.Floor(m.BucketStartUtc, ticks);
            if (!buckets.TryGetValue((start, m.Service, m.Level), out var b))
            {
                buckets[(start, m.Service, m.Level)] = b = create(start, m.Service, m.Level);
            }

            b.Count += m.Count;
            b.Bytes += m.Bytes;
        }

        return [.. buckets.Values];
    }

    internal static DateTime HourOf(DateTime t) => TimeBuckets.Floor(t, TimeSpan.TicksPerHour);

    /// <summary>One raw event's values in <see cref="Events"/>' column order.</summary>
    private static void BindEvent(LogEventRow e, RowValues v)
    {
        v.Add(Truncate(e.SourceTopic, StoreLimits.TopicLength));
        v.Add(e.SourcePartition);
        v.Add(e.SourceOffset);
        v.Add(Utc(e.TimestampUtc));
        v.Add(e.UtcOffsetMinutes);
        v.Add(Utc(e.ReceivedAtUtc));
        v.Add(Truncate(e.Service, StoreLimits.ServiceLength));
        v.Add(Truncate(e.Host, StoreLimits.HostLength));
        v.Add((byte)e.Level);
        v.Add(Truncate(e.Message, StoreLimits.TextLength));
        v.Add(e.Format);
        v.Add(TruncateOrNull(e.HttpMethod, StoreLimits.HttpMethodLength));
        v.Add(TruncateOrNull(e.HttpPath, StoreLimits.HttpPathLength));
        v.Add(e.HttpStatus);

        // MariaDB rejects NaN and infinities; a duration that is not a number is no duration.
        v.Add(e.HttpDurationMs is { } ms && double.IsFinite(ms) ? ms : null);
        v.Add(e.HttpBytes);
        v.Add(TruncateOrNull(e.TraceId, StoreLimits.TraceIdLength));
        v.Add(TruncateOrNull(e.SpanId, StoreLimits.SpanIdLength));
        v.Add(e.Fingerprint);
        v.Add(TruncateOrNull(e.AttributesJson, StoreLimits.TextLength));
        v.Add(e.IsLate);
    }

    /// <summary>(minute, service, small key): the key of every per-minute aggregate but the pipeline's.</summary>
    private static int Compare(DateTime minuteA, string serviceA, int keyA, DateTime minuteB, string serviceB, int keyB)
    {
        var c = minuteA.CompareTo(minuteB);
        c = c != 0 ? c : string.CompareOrdinal(serviceA, serviceB);
        return c != 0 ? c : keyA.CompareTo(keyB);
    }
}
