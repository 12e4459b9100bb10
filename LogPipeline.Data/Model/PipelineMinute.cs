namespace LogPipeline.Data;

/// <summary>Pipeline health per minute (<c>pipeline_minute</c>), for Grafana.</summary>
public sealed class PipelineMinute
{
    public DateTime BucketStartUtc { get; set; }

    public long EventsIn { get; set; }

    public long EventsStored { get; set; }

    public long LateEvents { get; set; }

    public long DeadLetters { get; set; }
}
