using Confluent.Kafka;
using LogPipeline.Formats;

namespace LogPipeline.Kafka;

/// <summary>
/// Keys are service names, a few hundred at most: one shared string each instead of one per record
/// (<see cref="Utf8Interner"/>). A null key stays null, as with Confluent's UTF-8 deserializer.
/// </summary>
internal sealed class InternedKeyDeserializer : IDeserializer<string?>
{
    public static readonly InternedKeyDeserializer Instance = new();

    public string? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? null : Utf8Interner.Get(data);
}
