namespace LogPipeline.Chaos;

/// <summary>What became of one poison kind's records.</summary>
public sealed class KindCount
{
    public long Produced { get; set; }

    public long DeadLettered { get; set; }

    public long Stored { get; set; }

    public long BrokerDeleted { get; set; }

    public long Missing { get; set; }
}
