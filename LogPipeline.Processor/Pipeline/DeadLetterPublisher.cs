using System.Globalization;
using System.Text;
using Confluent.Kafka;
using LogPipeline.Kafka;
using LogPipeline.Kafka.Wire;
using Microsoft.Extensions.Options;
using Polly;

namespace LogPipeline.Processor.Pipeline;

/// <summary>
/// Sends rejected records to the dead-letter topic unchanged (same key and value, host and trace
/// headers kept) with the reason and their origin in headers, and waits until Kafka has them:
/// their offsets are stored only after that. A crash between the two can send a dead letter twice
/// (the origin headers identify it); it never loses one.
/// </summary>
public sealed class DeadLetterPublisher(
    IProducer<string?, byte[]> producer, IOptions<KafkaOptions> kafka, IOptions<KafkaProduceResilienceOptions> resilience, ILogger<DeadLetterPublisher> logger)
{
    private readonly string topic = kafka.Value.Topics.DeadLetter;
    private readonly ResiliencePipeline retry = KafkaResilience.BuildProduce(resilience.Value, logger);

    public async Task PublishAsync(IReadOnlyList<ProcessedRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var deliveries = new Task[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            var source = r.Source;
            var headers = new Headers
            {
                { KafkaHeaderNames.DeadLetterReason, Encoding.UTF8.GetBytes(r.Rejection!.Reason) },
                { KafkaHeaderNames.DeadLetterDetail, Encoding.UTF8.GetBytes(r.Rejection.Detail) },
                { KafkaHeaderNames.DeadLetterTopic, Encoding.UTF8.GetBytes(source.Topic) },
                { KafkaHeaderNames.DeadLetterPartition, Encoding.UTF8.GetBytes(source.Partition.ToString(CultureInfo.InvariantCulture)) },
                { KafkaHeaderNames.DeadLetterOffset, Encoding.UTF8.GetBytes(source.Offset.ToString(CultureInfo.InvariantCulture)) },
                { KafkaHeaderNames.DeadLetterTime, Encoding.UTF8.GetBytes(now) },
            };
            if (source.Host is not null)
            {
                headers.Add(KafkaHeaderNames.Host, Encoding.UTF8.GetBytes(source.Host));
            }

            if (source.TraceParent is not null)
            {
                headers.Add(KafkaHeaderNames.TraceParent, Encoding.ASCII.GetBytes(source.TraceParent));
            }

            var message = new Message<string?, byte[]> { Key = source.Key, Value = source.Value, Headers = headers };
            deliveries[i] = retry.ExecuteAsync(async ct => await producer.ProduceAsync(topic, message, ct), cancellationToken).AsTask();
        }

        await Task.WhenAll(deliveries);
    }
}
