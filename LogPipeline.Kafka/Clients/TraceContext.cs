using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

namespace LogPipeline.Kafka;

/// <summary>W3C trace context in Kafka headers (the <c>traceparent</c> header).</summary>
public static class TraceContext
{
    /// <summary>Writes <paramref name="context"/> as a traceparent header.</summary>
    public static void Inject(Headers headers, ActivityContext context)
    {
        var flags = (context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00";
        headers.Add(KafkaHeaderNames.TraceParent, Encoding.ASCII.GetBytes($"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{flags}"));
    }

    /// <summary>The context of an event's own trace and span ids, or default when it has none or they are malformed.</summary>
    public static ActivityContext FromIds(string? traceId, string? spanId)
    {
        if (traceId is not { Length: 32 } || spanId is not { Length: 16 } || !IsLowerHex(traceId) || !IsLowerHex(spanId))
        {
            return default;
        }

        return new ActivityContext(ActivityTraceId.CreateFromString(traceId), ActivitySpanId.CreateFromString(spanId), ActivityTraceFlags.Recorded, isRemote: true);
    }

    /// <summary>Reads the traceparent header; default when absent or malformed.</summary>
    public static ActivityContext Extract(Headers? headers)
    {
        if (headers is null || !headers.TryGetLastBytes(KafkaHeaderNames.TraceParent, out var bytes))
        {
            return default;
        }

        return ActivityContext.TryParse(Encoding.ASCII.GetString(bytes), null, isRemote: true, out var context) ? context : default;
    }

    private static bool IsLowerHex(string s) => s.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0 && s.AsSpan().IndexOfAnyExcept('0') >= 0;
}
