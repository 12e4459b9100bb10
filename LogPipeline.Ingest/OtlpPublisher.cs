using System.Text;
using Confluent.Kafka;
using LogPipeline.Kafka;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using Microsoft.Extensions.Options;

namespace LogPipeline.Ingest;

/// <summary>
/// Produces an export's records onto the raw topic and waits for Kafka to acknowledge all of them,
/// so the sender hears "success" only for what is durably in Kafka. The in-flight count is the
/// bounded buffer: a request that would take it over the limit is refused whole (429) instead of
/// queueing, so a sender that outruns Kafka backs off instead of growing our memory.
/// </summary>
public sealed partial class OtlpPublisher(
    IProducer<string?, byte[]> producer,
    IOptions<KafkaOptions> kafka,
    IOptions<IngestOptions> options,
    TimeProvider time,
    ILogger<OtlpPublisher> logger)
{
    private readonly string _topic = kafka.Value.Topics.Raw;
    private readonly IngestOptions _settings = options.Value;

    // Written by request threads (add) and librdkafka's delivery thread (subtract).
    private long _inFlight;

    // After a failed export, later ones are refused at once until then, instead of each waiting out
    // the timeout with records that librdkafka would keep queued. Written by request threads.
    private long _unavailableUntilTicks;

    public long InFlight => Interlocked.Read(ref _inFlight);

    public async Task<PublishResult> PublishAsync(IReadOnlyList<MappedRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return PublishResult.Acked;
        }

        if (time.GetUtcNow().UtcTicks < Interlocked.Read(ref _unavailableUntilTicks))
        {
            return PublishResult.Unavailable;
        }

        // A request larger than the whole limit still passes when nothing else is in flight, or it could never pass.
        var total = Interlocked.Add(ref _inFlight, records.Count);
        if (total > _settings.MaxInFlightRecords && total != records.Count)
        {
            Interlocked.Add(ref _inFlight, -records.Count);
            return PublishResult.Busy;
        }

        var batch = new DeliveryBatch(this, records.Count);
        var queueFull = false;
        foreach (var record in records)
        {
            Headers? headers = null;
            if (record.TraceParent is not null)
            {
                headers = [new Header(KafkaHeaderNames.TraceParent, Encoding.ASCII.GetBytes(record.TraceParent))];
            }

            try
            {
                producer.Produce(_topic, new Message<string?, byte[]> { Key = record.Key, Value = record.Value, Headers = headers }, batch.OnDelivered);
            }
            catch (ProduceException<string?, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                // librdkafka's own queue (shared with other producers in one process) is full: the rest is not sent.
                queueFull = true;
                batch.NotProduced(records.Count - batch.Produced);
                break;
            }

            batch.Produced++;
        }

        batch.Sealed();
        bool acked;
        try
        {
            acked = await batch.Task.WaitAsync(_settings.ExportTimeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            acked = false;
            MarkUnavailable();
            LogAckTimeout(logger, records.Count, _settings.ExportTimeout.TotalSeconds);
        }

        return acked && !queueFull ? PublishResult.Acked : queueFull ? PublishResult.Busy : PublishResult.Unavailable;
    }

    private void MarkUnavailable() => Interlocked.Exchange(ref _unavailableUntilTicks, (time.GetUtcNow() + _settings.UnavailableRetryAfter).UtcTicks);

    private void Completed(int count, ErrorCode firstError, string? reason, int failed)
    {
        Interlocked.Add(ref _inFlight, -count);
        if (failed > 0)
        {
            MarkUnavailable();
            LogDeliveryFailed(logger, failed, count, firstError, reason);
        }
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Kafka did not acknowledge {Count} records within {Seconds} s: answering 'unavailable, retry later'")]
    private static partial void LogAckTimeout(ILogger logger, int count, double seconds);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Kafka refused {Failed} of {Count} records of an export ({Code}: {Reason}): answering 'unavailable, retry later'")]
    private static partial void LogDeliveryFailed(ILogger logger, int failed, int count, ErrorCode code, string? reason);

    /// <summary>
    /// The delivery reports of one export. It starts with one extra count that <see cref="Sealed"/>
    /// removes, so it cannot complete while records are still being produced.
    /// </summary>
    private sealed class DeliveryBatch(OtlpPublisher owner, int count)
    {
        private readonly TaskCompletionSource<bool> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Counted down by librdkafka's delivery thread and by the request thread (NotProduced, Sealed).
        private int _remaining = count + 1;
        private int _failed;
        private ErrorCode _firstError;
        private string? _firstReason;

        /// <summary>Records handed to librdkafka; only the request thread touches it.</summary>
        public int Produced { get; set; }

        public Task<bool> Task => _done.Task;

        public void OnDelivered(DeliveryReport<string?, byte[]> report)
        {
            if (report.Error.IsError && Interlocked.Increment(ref _failed) == 1)
            {
                _firstError = report.Error.Code;
                _firstReason = report.Error.Reason;
            }

            CountDown(1);
        }

        public void NotProduced(int n) => CountDown(n);

        public void Sealed() => CountDown(1);

        private void CountDown(int n)
        {
            if (Interlocked.Add(ref _remaining, -n) == 0)
            {
                var failures = Volatile.Read(ref _failed);
                owner.Completed(count, _firstError, _firstReason, failures);
                _done.TrySetResult(failures == 0);
            }
        }
    }
}
