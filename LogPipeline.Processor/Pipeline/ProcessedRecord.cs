using System.Diagnostics;
using LogPipeline.Formats;

namespace LogPipeline.Processor.Pipeline;

/// <summary>A parsed record (<see cref="Event"/> set) or a rejected one (<see cref="Rejection"/> set).</summary>
public sealed record ProcessedRecord(KafkaRecord Source, LogEvent? Event, LogFormat Format, string? Template, long? Fingerprint, Rejection? Rejection)
{
    /// <summary>The record's processing span, which the batch's store-write span links to; default when not traced.</summary>
    public ActivityContext Trace { get; init; }
}
