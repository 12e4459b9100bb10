namespace LogPipeline.Kafka;

/// <summary>
/// Message header names on LogPipeline topics. The message key of <c>logs.raw</c> is the service
/// name; headers carry what a text line may not (the host) and the trace context.
/// </summary>
public static class KafkaHeaderNames
{
    /// <summary>W3C trace context of the span that produced the record.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>The emitting host, for formats whose lines do not name it (nginx combined).</summary>
    public const string Host = "host";

    /// <summary>Dead letters: why the record was rejected (a stable kebab-case code).</summary>
    public const string DeadLetterReason = "dlq.reason";

    /// <summary>Dead letters: a human-readable detail of the reason.</summary>
    public const string DeadLetterDetail = "dlq.detail";

    /// <summary>Dead letters: where the record came from.</summary>
    public const string DeadLetterTopic = "dlq.topic";

    public const string DeadLetterPartition = "dlq.partition";

    public const string DeadLetterOffset = "dlq.offset";

    /// <summary>Dead letters: the record's own key (the dead letter's key is its source position, topic/partition/offset).</summary>
    public const string DeadLetterKey = "dlq.key";

    /// <summary>Dead letters: when it was rejected, RFC 3339 UTC.</summary>
    public const string DeadLetterTime = "dlq.time";

    /// <summary>Dead letters whose value was cut to fit the topic: the original value's length in bytes.</summary>
    public const string DeadLetterOriginalSize = "dlq.original.size";

    /// <summary>Dead letters whose value was cut: SHA-256 of the original value, lowercase hex.</summary>
    public const string DeadLetterOriginalSha256 = "dlq.original.sha256";
}
