using System.Diagnostics;
using Confluent.Kafka;
using LogPipeline.Kafka;
using LogPipeline.Kafka.Wire;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using Microsoft.Extensions.Options;

namespace LogPipeline.Producer.Publishing;

/// <summary>
/// Sends log lines to the raw topic, keyed by service, with the host and the trace context in
/// headers. librdkafka's own queue is the bounded buffer: when it is full, sending waits.
/// </summary>
public sealed partial class LogPublisher(IProducer<string?, byte[]> producer, IOptions<KafkaOptions> kafka, ILogger<LogPublisher> logger)
{
    public const string ActivitySourceName = "LogPipeline.Producer";

    private static readonly ActivitySource Source = new(ActivitySourceName);
    private static readonly TimeSpan QueueFullBackoff = TimeSpan.FromMilliseconds(5);

    private readonly string topic = kafka.Value.Topics.Raw;
    private long sent;
    private long delivered;
    private long failed;

    public long Sent => Interlocked.Read(ref sent);

    public long Delivered => Interlocked.Read(ref delivered);

    public long Failed => Interlocked.Read(ref failed);

    /// <summary>Sends one line; returns once librdkafka has queued it (delivery is counted later).</summary>
    /// <param name="parent">The event's own trace context; the publish span becomes its child.</param>
    public async ValueTask PublishAsync(string? service, string? host, byte[] line, ActivityContext parent, CancellationToken cancellationToken)
    {
        using var activity = Source.StartActivity(topic + " publish", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.system", "kafka");
        activity?.SetTag("messaging.destination.name", topic);
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

        var message = new Message<string?, byte[]> { Key = service, Value = line, Headers = headers };
        while (true)
        {
            try
            {
                producer.Produce(topic, message, OnDelivered);
                Interlocked.Increment(ref sent);
                return;
            }
            catch (ProduceException<string?, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                await Task.Delay(QueueFullBackoff, cancellationToken);
            }
        }
    }

    /// <summary>Waits until everything queued is delivered or failed, at most <paramref name="timeout"/>.</summary>
    /// <returns>The number of messages still undelivered.</returns>
    public int Flush(TimeSpan timeout) => producer.Flush(timeout);

    private void OnDelivered(DeliveryReport<string?, byte[]> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.Increment(ref failed);
            LogDeliveryFailed(logger, report.Error.Code, report.Error.Reason);
        }
        else
        {
            Interlocked.Increment(ref delivered);
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Kafka delivery failed ({Code}): {Reason}")]
    private static partial void LogDeliveryFailed(ILogger logger, ErrorCode code, string reason);
}
