using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using LogPipeline.Data;
using LogPipeline.Formats;
using LogPipeline.Processor.Storage;
using LogLevel = LogPipeline.Formats.LogLevel;

namespace LogPipeline.Processor.Pipeline;

/// <summary>
/// Windows and aggregates processed records into batches; owned by one dataflow block, so it is
/// never called concurrently. Windows are 1-minute tumbling windows on event time. Each partition
/// has its own watermark (its newest event time), stored with its offset, so whether a record is
/// late depends only on the records before it in its partition: a restart or a second processor
/// instance decides exactly as one uninterrupted run would.
/// </summary>
public sealed class BatchAggregator(string groupId, TimeSpan allowedLateness)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly Dictionary<(string Topic, int Partition), PartitionState> _partitions = [];
    private readonly ArrayBufferWriter<byte> _attributesBuffer = new(1024);
    private Utf8JsonWriter? _attributesWriter;
    private Builder _current = new(groupId);

    public int Count => _current.Events + _current.Batch.DeadLetters.Count;

    public void Assign(string topic, int partition, long storedNextOffset, DateTime? watermarkUtc) =>
        _partitions[(topic, partition)] = new PartitionState { StoredNext = storedNextOffset, Next = storedNextOffset, Watermark = watermarkUtc };

    public void Forget(string topic, int partition) => _partitions.Remove((topic, partition));

    public void AddBarrier(TaskCompletionSource done) => _current.Batch.Barriers.Add(done);

    public void Add(ProcessedRecord processed)
    {
        var source = processed.Source;
        if (!_partitions.TryGetValue((source.Topic, source.Partition), out var state))
        {
            return; // Revoked while the record was in flight: its new owner reads it again from the stored offset.
        }

        if (source.Offset < state.Next)
        {
            return; // Already in this or an earlier batch: a redelivery within this session.
        }

        state.Next = source.Offset + 1;
        state.Touched = true;
        var b = _current;
        if (processed.Trace != default)
        {
            b.Batch.Traces.Add(processed.Trace);
        }

        var processedMinute = Floor(source.Timestamp.UtcDateTime);
        b.Pipeline(processedMinute).EventsIn++;

        if (processed.Event is not { } e)
        {
            b.Batch.DeadLetters.Add(processed);
            b.Batch.Store.DeadLetters.Add(DeadLetterRecords.Row(source, processed.Rejection!, DateTime.UtcNow));
            b.Pipeline(processedMinute).DeadLetters++;
            return;
        }

        var timestamp = e.Timestamp.UtcDateTime;
        var minute = Floor(timestamp);
        var late = state.Watermark is { } watermark && minute + Minute + allowedLateness <= watermark;
        if (state.Watermark is null || timestamp > state.Watermark)
        {
            state.Watermark = timestamp;
        }

        b.Events++;
        b.Batch.EventTimes.Add(source.Timestamp);
        b.Batch.Store.Events.Add(Row(processed, e, late));
        b.Pipeline(processedMinute).EventsStored++;

        // Counted like the raw rows (late ones too): top errors read whole hours and minutes from these instead.
        if (processed.Fingerprint is { } fingerprinted)
        {
            b.AddError(e.Service, fingerprinted, timestamp);
        }

        if (late)
        {
            // Stored raw, counted as late, kept out of the aggregates of a window already closed.
            b.Pipeline(processedMinute).LateEvents++;
            b.Batch.LateEvents++;
            return;
        }

        var volume = b.Volume(minute, e.Service, e.Level);
        volume.Count++;
        volume.Bytes += source.Value.Length;
        if (e.Http is { } http)
        {
            b.Status(minute, e.Service, (short)(http.Status / 100)).Count++;
            b.Histogram(minute, e.Service, (short)LatencyHistogram.BinOf(http.DurationMs)).Count++;
        }

        if (processed.Fingerprint is { } fingerprint)
        {
            b.Fingerprint(e, fingerprint, processed.Template!, timestamp);
        }
    }

    /// <summary>Closes the current batch: its offsets cover everything added since the last one.</summary>
    public PendingBatch Take()
    {
        var b = _current;
        foreach (var ((topic, partition), state) in _partitions)
        {
            if (!state.Touched)
            {
                continue;
            }

            b.Batch.Store.Offsets.Add(new PartitionProgress(topic, partition, state.StoredNext, state.Next, state.Watermark));
            state.StoredNext = state.Next;
            state.Touched = false;
        }

        _current = new Builder(groupId);
        return b.Complete();
    }

    private static DateTime Floor(DateTime utc) => TimeBuckets.Floor(utc, Minute.Ticks);

    private LogEventRow Row(ProcessedRecord processed, LogEvent e, bool late)
    {
        var source = processed.Source;
        return new LogEventRow
        {
            SourceTopic = source.Topic,
            SourcePartition = source.Partition,
            SourceOffset = source.Offset,
            TimestampUtc = e.Timestamp.UtcDateTime,
            UtcOffsetMinutes = (short)e.Timestamp.Offset.TotalMinutes,
            ReceivedAtUtc = source.Timestamp.UtcDateTime,
            Service = e.Service,
            Host = e.Host,
            Level = e.Level,
            Message = e.Message,
            Format = (byte)processed.Format,
            HttpMethod = e.Http?.Method,
            HttpPath = e.Http?.Path,
            HttpStatus = (short?)e.Http?.Status,
            HttpDurationMs = e.Http?.DurationMs,
            HttpBytes = e.Http?.Bytes,
            TraceId = e.TraceId is { Length: StoreLimits.TraceIdLength } ? e.TraceId : null,
            SpanId = e.SpanId is { Length: StoreLimits.SpanIdLength } ? e.SpanId : null,
            Fingerprint = processed.Fingerprint,
            AttributesJson = e.Attributes is { Count: > 0 } a ? AttributesJson(a) : null,
            IsLate = late,
        };
    }

    /// <summary>
    /// The attributes as a JSON object, as <c>JsonSerializer</c> writes a dictionary (same escaping), through
    /// one reused writer and buffer: this runs for most events, and the serializer's per-call writer,
    /// buffers and boxed enumerator were a good share of the processor's allocations.
    /// </summary>
    private string AttributesJson(IReadOnlyDictionary<string, string> attributes)
    {
        _attributesBuffer.ResetWrittenCount();
        var json = _attributesWriter ??= new Utf8JsonWriter(_attributesBuffer);
        json.Reset(_attributesBuffer);
        json.WriteStartObject();
        // The parser makes a Dictionary, whose enumerator is a struct: through the interface it would be boxed.
        if (attributes is Dictionary<string, string> map)
        {
            foreach (var (key, value) in map)
            {
                json.WriteString(key, value);
            }
        }
        else
        {
            foreach (var (key, value) in attributes)
            {
                json.WriteString(key, value);
            }
        }

        json.WriteEndObject();
        json.Flush();
        return Encoding.UTF8.GetString(_attributesBuffer.WrittenSpan);
    }

    private sealed class PartitionState
    {
        public long StoredNext { get; set; }

        public long Next { get; set; }

        public DateTime? Watermark { get; set; }

        public bool Touched { get; set; }
    }

    /// <summary>Accumulates one batch's deltas, merged by key.</summary>
    private sealed class Builder(string groupId)
    {
        private readonly Dictionary<(DateTime, string, LogLevel), VolumeMinute?> _volume = [];
        private readonly Dictionary<(DateTime, string, short), HttpStatusMinute?> _status = [];
        private readonly Dictionary<(DateTime, string, short), LatencyHistogramMinute?> _histogram = [];
        private readonly Dictionary<(string, long), ErrorFingerprint?> _fingerprints = [];
        private readonly Dictionary<DateTime, PipelineMinute?> _pipeline = [];
        private readonly Dictionary<(DateTime, string, long), ErrorHour?> _errorHours = [];
        private readonly Dictionary<(DateTime, string, long), ErrorMinute?> _errorMinutes = [];

        public PendingBatch Batch { get; } = new(new StoreBatch { GroupId = groupId });

        public int Events { get; set; }

        public VolumeMinute Volume(DateTime minute, string service, LogLevel level) =>
            Get(_volume, (minute, service, level)) ??= new VolumeMinute { BucketStartUtc = minute, Service = service, Level = level };

        public HttpStatusMinute Status(DateTime minute, string service, short statusClass) =>
            Get(_status, (minute, service, statusClass)) ??= new HttpStatusMinute { BucketStartUtc = minute, Service = service, StatusClass = statusClass };

        public LatencyHistogramMinute Histogram(DateTime minute, string service, short bin) =>
            Get(_histogram, (minute, service, bin)) ??= new LatencyHistogramMinute { BucketStartUtc = minute, Service = service, Bin = bin };

        public PipelineMinute Pipeline(DateTime minute) =>
            Get(_pipeline, minute) ??= new PipelineMinute { BucketStartUtc = minute };

        public void AddError(string service, long fingerprint, DateTime at)
        {
            var hour = BatchTables.HourOf(at);
            Count(Get(_errorHours, (hour, service, fingerprint)) ??= new ErrorHour { BucketStartUtc = hour, Service = service, Fingerprint = fingerprint, FirstSeenUtc = at, LastSeenUtc = at }, at);
            var minute = Floor(at);
            Count(Get(_errorMinutes, (minute, service, fingerprint)) ??= new ErrorMinute { BucketStartUtc = minute, Service = service, Fingerprint = fingerprint, FirstSeenUtc = at, LastSeenUtc = at }, at);

            static void Count(ErrorBucket bucket, DateTime at)
            {
                bucket.Count++;
                bucket.FirstSeenUtc = at < bucket.FirstSeenUtc ? at : bucket.FirstSeenUtc;
                bucket.LastSeenUtc = at > bucket.LastSeenUtc ? at : bucket.LastSeenUtc;
            }
        }

        public void Fingerprint(LogEvent e, long fingerprint, string template, DateTime at)
        {
            var f = Get(_fingerprints, (e.Service, fingerprint)) ??= new ErrorFingerprint
            {
                Service = e.Service,
                Fingerprint = fingerprint,
                Template = template,
                SampleMessage = e.Message,
                Level = e.Level,
                FirstSeenUtc = at,
                LastSeenUtc = at,
            };
            f.Count++;
            f.FirstSeenUtc = at < f.FirstSeenUtc ? at : f.FirstSeenUtc;
            f.LastSeenUtc = at > f.LastSeenUtc ? at : f.LastSeenUtc;
        }

        // In no particular order, and cut to no column's length: the store does both, right before
        // it writes (BatchTables), so that each is done once.
        public PendingBatch Complete()
        {
            var s = Batch.Store;
            AddAll(s.Volume, _volume);
            AddAll(s.HttpStatus, _status);
            AddAll(s.LatencyHistogram, _histogram);
            AddAll(s.Fingerprints, _fingerprints);
            AddAll(s.Pipeline, _pipeline);
            AddAll(s.ErrorHours, _errorHours);
            AddAll(s.ErrorMinutes, _errorMinutes);
            return Batch;
        }

        private static void AddAll<TKey, TValue>(List<TValue> rows, Dictionary<TKey, TValue?> map)
            where TKey : notnull
            where TValue : class
        {
            rows.EnsureCapacity(rows.Count + map.Count);
            foreach (var value in map.Values)
            {
                rows.Add(value!);
            }
        }

        // A reference to the map's slot: one hash lookup per key and no closure per call (this runs
        // several times for every event).
        private static ref TValue? Get<TKey, TValue>(Dictionary<TKey, TValue?> map, TKey key)
            where TKey : notnull
            where TValue : class
            => ref CollectionsMarshal.GetValueRefOrAddDefault(map, key, out _);
    }
}
