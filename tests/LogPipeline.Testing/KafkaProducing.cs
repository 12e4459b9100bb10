using Confluent.Kafka;

namespace LogPipeline.Testing;

public static class KafkaProducing
{
    /// <summary>Produces one message, waiting (and serving delivery reports) while the client's local queue is full.</summary>
    public static void ProduceWaiting(this IProducer<string?, byte[]> producer, string topic, Message<string?, byte[]> message) =>
        ProduceWaiting(producer, new TopicPartition(topic, Partition.Any), message);

    /// <summary>
    /// Produces one message to <paramref name="partition"/> (<see cref="Partition.Any"/>: the partitioner's choice), waiting while the client's local queue is full;
    /// <paramref name="delivered"/>, when given, gets the delivery report (the offset the record landed at).
    /// </summary>
    public static void ProduceWaiting(this IProducer<string?, byte[]> producer, TopicPartition partition, Message<string?, byte[]> message,
        Action<DeliveryReport<string?, byte[]>>? delivered = null)
    {
        ArgumentNullException.ThrowIfNull(producer);
        while (true)
        {
            try
            {
                producer.Produce(partition, message, delivered);
                return;
            }
            catch (ProduceException<string?, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }
    }
}
