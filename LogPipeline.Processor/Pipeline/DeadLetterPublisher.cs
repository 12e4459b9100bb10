using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Confluent.Kafka;
using LogPipeline.Kafka;
using Microsoft.Extensions.Options;
using Polly;

namespace LogPipeline.Processor.Pipeline;

/// <summary>
/// Sends rejected records to the dead-letter topic (value unchanged, host and trace headers kept)
/// with the reason and their origin in headers, and waits until Kafka has them: their offsets are
/// stored only after that. A crash between the two can send a dead letter twice, never lose one; the
/// store records it once (<c>dead_letters</c>, with the batch), and the topic copy's key is its source
/// position (<see cref="DeadLetterRecords.TopicKey"/>), so a compacted topic keeps one. The sender's
/// key is in the <c>dlq.key</c> header.
/// </summary>
/// <remarks>
/// A value, key or host longer than a broker takes would be refused on every retry and stop the
/// partition for good, so each is cut (<see cref="ProcessorOptions.DeadLetterMaxValueBytes"/> for the
/// value, <see cref="DeadLetterRecords.MaxKeyAndHostBytes"/> for the others); a cut value carries its original size
/// and SHA-256 in headers, so the dead letter still identifies what was sent.
/// </remarks>
public sealed class DeadLetterPublisher(
    IProducer<string?, byte[]> producer,
    IOptions<KafkaOptions> kafka,
    IOptions<ProcessorOptions> processor,
    IOptions<KafkaProduceResilienceOptions> resilience,
    ILogger<DeadLetterPublisher> logger)
{
    private readonly string _topic = kafka.Value.Topics.DeadLetter;
    private readonly int _maxValueBytes = processor.Value.DeadLetterMaxValueBytes;
    private readonly ResiliencePipeline _retry = KafkaResilience.BuildProduce(resilience.Value, logger, kafka.Value.BootstrapServers);

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
                headers.Add(KafkaHeaderNames.Host, Encoding.UTF8.GetBytes(DeadLetterRecords.CutUtf8(source.Host, DeadLetterRecords.MaxKeyAndHostBytes)!));
            }

            if (source.Key is not null)
            {
                headers.Add(KafkaHeaderNames.DeadLetterKey, Encoding.UTF8.GetBytes(DeadLetterRecords.CutUtf8(source.Key, DeadLetterRecords.MaxKeyAndHostBytes)!));
            }

            var value = source.Value;
            if (value.Length > _maxValueBytes)
            {
                headers.Add(KafkaHeaderNames.DeadLetterOriginalSize, Encoding.ASCII.GetBytes(value.Length.ToString(CultureInfo.InvariantCulture)));
                headers.Add(KafkaHeaderNames.DeadLetterOriginalSha256, Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(value))));
                value = value[.._maxValueBytes];
            }

            if (source.TraceParent is not null)
            {
                headers.Add(KafkaHeaderNames.TraceParent, Encoding.ASCII.GetBytes(source.TraceParent));
            }

            var message = new Message<string?, byte[]> { Key = DeadLetterRecords.TopicKey(source), Value = value, Headers = headers };
            deliveries[i] = _retry.ExecuteAsync(async ct => await producer.ProduceAsync(_topic, message, ct), cancellationToken).AsTask();
        }

        await Task.WhenAll(deliveries);
    }
}
