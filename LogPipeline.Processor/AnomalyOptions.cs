namespace LogPipeline.Processor;

/// <summary>Error-rate anomaly rule: a closed minute whose error rate is far above the service's rolling baseline.</summary>
public sealed class AnomalyOptions
{
    /// <summary>Minutes before the evaluated one that make up the baseline.</summary>
    public int BaselineMinutes { get; set; } = 30;

    /// <summary>Fewer events than this in a minute are not judged.</summary>
    public int MinEvents { get; set; } = 20;

    /// <summary>Anomalous when the rate exceeds both baseline × Factor and baseline + MinIncrease.</summary>
    public double Factor { get; set; } = 3;

    public double MinIncrease { get; set; } = 0.05;
}
