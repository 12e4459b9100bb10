using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using LogPipeline.Kafka;
using LogPipeline.Resilience;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using Microsoft.Extensions.Options;

namespace LogPipeline.Producer.Publishing;

/// <summary>
/// Sends log lines to the raw topic, keyed by service, with the host and the trace context in
/// headers. librdkafka's own queue is the bounded buffer: when it is full, sending waits.
/// </summary>
/// <remarks>
/// A record librdkafka gave up on (message.timeout.ms ran out: Kafka down or unreachable) that it
/// reports as certainly not written is sent again, before any new one, so an outage delays events
/// instead of dropping them; one it may have written is counted failed rather than risk a duplicate.
/// Failures are logged once, then once per <see cref="KafkaOptions.OutageLogInterval"/>. The retry
/// queue holds only records that were in librdkafka's bounded queue, and no new record is sent while
/// it has any, so memory stays bounded by that queue.
/// </remarks>
public sealed partial class LogPublisher(IProducer<string?, byte[]> producer, IOptions<KafkaOptions> kafka, ILogger<LogPublisher> logger)
{
    public const string ActivitySourceName = "LogPipeline.Producer";

    private static readonly ActivitySource Source = new(ActivitySourceName);
    private static readonly TimeSpan QueueFullBackoff = TimeSpan.FromMilliseconds(5);

    private readonly string _topic = kafka.Value.Topics.Raw;
    private readonly OutageLog _failures = new(kafka.Value.OutageLogInterval);

    // Written by librdkafka's delivery callbacks (the producer's poll thread), drained by the sender.
    private readonly ConcurrentQueue<Message<string?, byte[]>> _retries = new();
    private long _sent;
    private long _resent;
    private long _delivered;
    private long _failed;

    public long Sent => Interlocked.Read(ref _sent);

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Records sent again after librdkafka gave up on them without writing them.</summary>
    public long Resent => Interlocked.Read(ref _resent);

    /// <summary>Sends one line; returns once librdkafka has queued it (delivery is counted later).</summary>
    /// <param name="parent">The event's own trace context; the publish span becomes its child.</param>
    public async ValueTask PublishAsync(string? service, string? host, byte[] line, ActivityContext parent, CancellationToken cancellationToken)
    {
        using var activity = Source.StartActivity(_topic + " publish", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.system", "kafka");
        activity?.SetTag("messaging.destination.name", _topic);
        activity?.SetTag("messaging.operation.type", "send");

        var headers = new Headers();
        var context = activity?.Context ?? parent;
        if (context != default)
        {
            TraceContext.Inject(headers, context);
        }

        if (!string.IsNullOrEmpty(host))
        {
            headers.Add(KafkaHeaderNames.Host, System.Text.Encoding.UTF8.GetBytes(host));
        }

        // Records given back by librdkafka go first: they are older.
        while (_retries.TryDequeue(out var retry))
        {
            await ProduceAsync(retry, cancellationToken);
            Interlocked.Increment(ref _resent);
        }

        await ProduceAsync(new Message<string?, byte[]> { Key = service, Value = line, Headers = headers }, cancellationToken);
        Interlocked.Increment(ref _sent);
    }

    /// <summary>
    /// Waits until everything queued is delivered or failed, at most <paramref name="timeout"/>; records
    /// given back meanwhile are sent again within that time.
    /// </summary>
    /// <returns>The number of messages still undelivered.</returns>
    public int Flush(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            while (_retries.TryPeek(out var retry) && TryProduce(retry))
            {
                _retries.TryDequeue(out _);
                Interlocked.Increment(ref _resent);
            }

            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            var undelivered = producer.Flush(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            if (_retries.IsEmpty || left <= TimeSpan.Zero)
            {
                return undelivered + _retries.Count;
            }
        }
    }

    private async ValueTask ProduceAsync(Message<string?, byte[]> message, CancellationToken cancellationToken)
    {
        while (!TryProduce(message))
        {
            await Task.Delay(QueueFullBackoff, cancellationToken);
        }
    }

    /// <summary>False while librdkafka's queue is full.</summary>
    private bool TryProduce(Message<string?, byte[]> message)
    {
        try
        {
            producer.Produce(_topic, message, OnDelivered);
            return true;
        }
        catch (ProduceException<string?, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
        {
            return false;
        }
    }

    private void OnDelivered(DeliveryReport<string?, byte[]> report)
    {
        if (!report.Error.IsError)
        {
            Interlocked.Increment(ref _delivered);
            if (_failures.End(DateTimeOffset.UtcNow) is { } lasted)
            {
                LogDeliveringAgain(logger, lasted.TotalSeconds);
            }

            return;
        }

        // Only a record librdkafka says it did not write is sent again: a resend of one it may have
        // written could store the event twice.
        var retry = report.Status == PersistenceStatus.NotPersisted && KafkaResilience.IsTransient(report.Error);
        if (retry)
        {
            // A new message: the report's carries librdkafka's timestamp type, which Produce refuses.
            _retries.Enqueue(new Message<string?, byte[]> { Key = report.Message.Key, Value = report.Message.Value, Headers = report.Message.Headers });
        }
        else
        {
            Interlocked.Increment(ref _failed);
        }

        if (_failures.ShouldLog(DateTimeOffset.UtcNow, out var since, out var suppressed))
        {
            LogDeliveryFailed(logger, report.Error.Code, report.Error.Reason, retry ? "sent again" : "counted failed", since.TotalSeconds, suppressed);
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Kafka delivery failed ({Code}): {Reason}; {Outcome} (failing for {OutageSeconds:0} s, {Suppressed} failures not logged since the last line; logged once a minute while they go on)")]
    private static partial void LogDeliveryFailed(ILogger logger, ErrorCode code, string reason, string outcome, double outageSeconds, long suppressed);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Kafka takes events again after {OutageSeconds:0} s")]
    private static partial void LogDeliveringAgain(ILogger logger, double outageSeconds);
}
