using Microsoft.Extensions.Options;

namespace LogPipeline.Processor;

public sealed class ProcessorOptionsValidator : IValidateOptions<ProcessorOptions>
{
    public ValidateOptionsResult Validate(string? name, ProcessorOptions o)
    {
        var failures = new List<string>();
        Check(o.BatchSize is >= 1 and <= 100_000, $"Processor:BatchSize must be 1 to 100000; got {o.BatchSize}.");
        Check(o.BatchLatency > TimeSpan.Zero, $"Processor:BatchLatency must be positive; got {o.BatchLatency}.");
        Check(o.ParserParallelism is >= 1 and <= 64, $"Processor:ParserParallelism must be 1 to 64; got {o.ParserParallelism}.");
        Check(o.BufferCapacity >= o.BatchSize, $"Processor:BufferCapacity must be at least Processor:BatchSize ({o.BatchSize}); got {o.BufferCapacity}.");
        Check(o.AllowedLateness >= TimeSpan.Zero, $"Processor:AllowedLateness must not be negative; got {o.AllowedLateness}.");
        Check(o.MaxFutureSkew > TimeSpan.Zero && o.MaxAge > TimeSpan.Zero, "Processor:MaxFutureSkew and Processor:MaxAge must be positive.");
        Check(o.SyslogDefaultOffset >= TimeSpan.FromHours(-14) && o.SyslogDefaultOffset <= TimeSpan.FromHours(14),
            $"Processor:SyslogDefaultOffset must be a UTC offset between -14:00 and +14:00; got {o.SyslogDefaultOffset}.");
        Check(o.MaxLineBytes is >= 256 and <= 1024 * 1024, $"Processor:MaxLineBytes must be 256 to 1048576; got {o.MaxLineBytes}.");
        Check(o.DeadLetterMaxValueBytes is >= 1024 and <= 64 * 1024 * 1024,
            $"Processor:DeadLetterMaxValueBytes must be 1024 to 67108864 (and below the dead-letter topic's message limit); got {o.DeadLetterMaxValueBytes}.");
        Check(o.RawRetention > TimeSpan.Zero && o.AggregateRetention >= o.RawRetention,
            "Processor:RawRetention must be positive and Processor:AggregateRetention at least as long.");
        Check(o.RetentionInterval > TimeSpan.Zero && o.WindowCloseInterval > TimeSpan.Zero,
            "Processor:RetentionInterval and Processor:WindowCloseInterval must be positive.");
        Check(o.Anomaly.BaselineMinutes >= 1 && o.Anomaly.MinEvents >= 1 && o.Anomaly.Factor >= 1 && o.Anomaly.MinIncrease >= 0,
            "Processor:Anomaly needs BaselineMinutes >= 1, MinEvents >= 1, Factor >= 1 and MinIncrease >= 0.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(bool ok, string failure)
        {
            if (!ok)
            {
                failures.Add(failure);
            }
        }
    }
}
