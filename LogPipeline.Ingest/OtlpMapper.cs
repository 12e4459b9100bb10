using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using LogPipeline.Ingest.Otlp;
using LogPipeline.Formats;
using LogLevel = LogPipeline.Formats.LogLevel;

namespace LogPipeline.Ingest;

/// <summary>
/// Maps OTLP log records to the wire contract (<see cref="LogEvent"/>, JSON version 1), so the
/// processor stores them exactly like the producer's records. The README's "The OTLP ingest"
/// section has the table.
/// </summary>
public static class OtlpMapper
{
    /// <summary>The OpenTelemetry convention for a resource without <c>service.name</c>.</summary>
    public const string UnknownService = "unknown_service";

    /// <summary>Our own stand-in for a resource without <c>host.name</c>: the wire contract needs a host.</summary>
    public const string UnknownHost = "unknown_host";

    /// <summary>The scope (logger category, Serilog source context) under the name OpenTelemetry gives it outside OTLP.</summary>
    public const string ScopeAttribute = "otel.scope.name";

    public const string EventNameAttribute = "event.name";

    private const string ServiceNameKey = "service.name";
    private const string HostNameKey = "host.name";

    public static ResourceFields ForResource(Resource? resource)
    {
        string? service = null, host = null;
        List<KeyValuePair<string, string>> attributes = [];
        if (resource is not null)
        {
            foreach (var kv in resource.Attributes)
            {
                switch (kv.Key)
                {
                    case ServiceNameKey:
                        service = Render(kv.Value);
                        break;
                    case HostNameKey:
                        host = Render(kv.Value);
                        break;
                    default:
                        attributes.Add(new(kv.Key, Render(kv.Value)));
                        break;
                }
            }
        }

        return new ResourceFields(
            string.IsNullOrWhiteSpace(service) ? UnknownService : service,
            string.IsNullOrWhiteSpace(host) ? UnknownHost : host,
            attributes);
    }

    /// <summary>Maps one record; false with the reason when it cannot go on the wire (too large).</summary>
    public static bool TryMap(ResourceFields resource, InstrumentationScope? scope, LogRecord record, DateTimeOffset receivedAt, int maxRecordBytes, out MappedRecord mapped, out string? error)
    {
        var traceId = Hex(record.TraceId, 16);
        var spanId = Hex(record.SpanId, 8);
        var logEvent = new LogEvent
        {
            Timestamp = Timestamp(record, receivedAt),
            Service = resource.Service,
            Host = resource.Host,
            Level = Level(record.SeverityNumber, record.SeverityText),
            Message = record.Body is null ? string.Empty : Render(record.Body),
            TraceId = traceId,
            SpanId = traceId is null ? null : spanId,
            Attributes = Attributes(resource, scope, record),
        };

        var value = JsonSerializer.SerializeToUtf8Bytes(logEvent, WireJsonContext.Default.LogEvent);
        if (value.Length > maxRecordBytes)
        {
            mapped = default;
            error = $"a record is {value.Length} bytes on the wire, over the {maxRecordBytes}-byte limit";
            return false;
        }

        string? traceParent = null;
        if (traceId is not null && logEvent.SpanId is not null)
        {
            traceParent = $"00-{traceId}-{logEvent.SpanId}-{((record.Flags & 0x01) != 0 ? "01" : "00")}";
        }

        mapped = new MappedRecord(resource.Service, value, traceParent);
        error = null;
        return true;
    }

    /// <summary>Event time, else the time the sender observed it, else the time we received it (OTLP allows both to be 0).</summary>
    public static DateTimeOffset Timestamp(LogRecord record, DateTimeOffset receivedAt)
    {
        var nanos = record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano;
        // ulong nanoseconds / 100 is at most 1.8e17 ticks, within DateTimeOffset's range from 1970.
        return nanos == 0 ? receivedAt : DateTimeOffset.UnixEpoch.AddTicks((long)(nanos / 100));
    }

    /// <summary>OTLP's severity ranges (1-4 trace ... 21-24 fatal); unset numbers fall back to the text, then to info.</summary>
    public static LogLevel Level(SeverityNumber number, string? text) => (int)number switch
    {
        >= 1 and <= 4 => LogLevel.Trace,
        >= 5 and <= 8 => LogLevel.Debug,
        >= 9 and <= 12 => LogLevel.Info,
        >= 13 and <= 16 => LogLevel.Warn,
        >= 17 and <= 20 => LogLevel.Error,
        >= 21 => LogLevel.Fatal,
        _ => FromText(text),
    };

    private static LogLevel FromText(string? text)
    {
        var t = text.AsSpan().Trim();
        return t switch
        {
            _ when t.StartsWith("trace", StringComparison.OrdinalIgnoreCase) || t.StartsWith("verbose", StringComparison.OrdinalIgnoreCase) => LogLevel.Trace,
            _ when t.StartsWith("debug", StringComparison.OrdinalIgnoreCase) => LogLevel.Debug,
            _ when t.StartsWith("warn", StringComparison.OrdinalIgnoreCase) => LogLevel.Warn,
            _ when t.StartsWith("err", StringComparison.OrdinalIgnoreCase) => LogLevel.Error,
            _ when t.StartsWith("fatal", StringComparison.OrdinalIgnoreCase) || t.StartsWith("crit", StringComparison.OrdinalIgnoreCase)
                || t.StartsWith("alert", StringComparison.OrdinalIgnoreCase) || t.StartsWith("emerg", StringComparison.OrdinalIgnoreCase) => LogLevel.Fatal,
            _ => LogLevel.Info,
        };
    }

    /// <summary>Lowercase hex of an id of the right length; null when absent, all zero (OTLP's "none") or malformed.</summary>
    private static string? Hex(ByteString id, int length)
    {
        var span = id.Span;
        return span.Length == length && span.IndexOfAnyExcept((byte)0) >= 0 ? Convert.ToHexStringLower(span) : null;
    }

    private static Dictionary<string, string>? Attributes(ResourceFields resource, InstrumentationScope? scope, LogRecord record)
    {
        var count = resource.Attributes.Count + record.Attributes.Count + 2;
        Dictionary<string, string>? attributes = null;
        // Later wins: the record's own attributes over the scope's name over the resource's.
        foreach (var (key, value) in resource.Attributes)
        {
            (attributes ??= new(count, StringComparer.Ordinal))[key] = value;
        }

        if (!string.IsNullOrEmpty(scope?.Name))
        {
            (attributes ??= new(count, StringComparer.Ordinal))[ScopeAttribute] = scope.Name;
        }

        if (!string.IsNullOrEmpty(record.EventName))
        {
            (attributes ??= new(count, StringComparer.Ordinal))[EventNameAttribute] = record.EventName;
        }

        foreach (var kv in record.Attributes)
        {
            (attributes ??= new(count, StringComparer.Ordinal))[kv.Key] = Render(kv.Value);
        }

        return attributes;
    }

    /// <summary>A string as itself; every other kind of value as JSON (bytes as base64, as OTLP/JSON writes them).</summary>
    public static string Render(AnyValue? value)
    {
        switch (value?.ValueCase ?? AnyValue.ValueOneofCase.None)
        {
            case AnyValue.ValueOneofCase.None:
                return string.Empty;
            case AnyValue.ValueOneofCase.StringValue:
                return value!.StringValue;
            case AnyValue.ValueOneofCase.BoolValue:
                return value!.BoolValue ? "true" : "false";
            case AnyValue.ValueOneofCase.IntValue:
                return value!.IntValue.ToString(CultureInfo.InvariantCulture);
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, value!);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter writer, AnyValue? value)
    {
        switch (value?.ValueCase ?? AnyValue.ValueOneofCase.None)
        {
            case AnyValue.ValueOneofCase.StringValue:
                writer.WriteStringValue(value!.StringValue);
                break;
            case AnyValue.ValueOneofCase.BoolValue:
                writer.WriteBooleanValue(value!.BoolValue);
                break;
            case AnyValue.ValueOneofCase.IntValue:
                writer.WriteNumberValue(value!.IntValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value!.DoubleValue):
                writer.WriteNumberValue(value.DoubleValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue:
                // JSON has no NaN or infinities; OTLP/JSON writes them as these strings.
                writer.WriteStringValue(value!.DoubleValue.ToString(CultureInfo.InvariantCulture));
                break;
            case AnyValue.ValueOneofCase.BytesValue:
                writer.WriteBase64StringValue(value!.BytesValue.Span);
                break;
            case AnyValue.ValueOneofCase.ArrayValue:
                writer.WriteStartArray();
                foreach (var item in value!.ArrayValue.Values)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                writer.WriteStartObject();
                foreach (var kv in value!.KvlistValue.Values)
                {
                    writer.WritePropertyName(kv.Key);
                    Write(writer, kv.Value);
                }

                writer.WriteEndObject();
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
