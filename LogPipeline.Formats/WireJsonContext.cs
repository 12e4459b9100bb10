using System.Text.Json.Serialization;

namespace LogPipeline.Formats;

/// <summary>
/// The one source-generated serializer context for records on the wire, shared by producer and
/// processor: camelCase names, lowercase enums, no nulls.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LogEvent))]
public sealed partial class WireJsonContext : JsonSerializerContext;
