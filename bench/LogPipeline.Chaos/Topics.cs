namespace LogPipeline.Chaos;

/// <summary>The pipeline's default topic names, which the run's processes all use.</summary>
public static class Topics
{
    public const string Raw = "logs.raw";
    public const string DeadLetter = "logs.deadletter";
}
