using System.Diagnostics;
using System.Globalization;
using LogPipeline.Processor.Storage;

namespace LogPipeline.Processor.Pipeline;

/// <summary>
/// The processor's spans, with the OpenTelemetry messaging and database conventions. A produced
/// event's trace continues here: publish span (producer) -> traceparent header -> "process" span per
/// record -> linked from the "store write" span of the batch that committed it.
/// </summary>
public static class ProcessorTelemetry
{
    public const string ActivitySourceName = "LogPipeline.Processor";

    /// <summary>A batch links at most this many record spans (a span with thousands of links helps nobody).</summary>
    public const int MaxLinksPerBatch = 1024;

    private static readonly ActivitySource Source = new(ActivitySourceName);

    public static Activity? StartProcess(KafkaRecord record, string groupId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        ActivityContext.TryParse(record.TraceParent, null, isRemote: true, out var parent);
        var activity = Source.StartActivity(record.Topic + " process", ActivityKind.Consumer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "kafka");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.destination.name", record.Topic);
            activity.SetTag("messaging.destination.partition.id", record.Partition.ToString(CultureInfo.InvariantCulture));
            activity.SetTag("messaging.kafka.offset", record.Offset);
            activity.SetTag("messaging.consumer.group.name", groupId);
            if (record.Key is not null)
            {
                activity.SetTag("messaging.kafka.message.key", record.Key);
            }
        }

        return activity;
    }

    public static Activity? StartStoreWrite(PendingBatch batch, string dbSystem)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var links = new List<ActivityLink>();
        foreach (var trace in batch.Traces)
        {
            if (links.Count == MaxLinksPerBatch)
            {
                break;
            }

            links.Add(new ActivityLink(trace));
        }

        var activity = Source.StartActivity("store write", ActivityKind.Client, default(ActivityContext), links: links);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", dbSystem);
            activity.SetTag("db.operation.name", "write batch");
            activity.SetTag("db.operation.batch.size", batch.Store.Events.Count);
            activity.SetTag("logpipeline.dead_letters", batch.DeadLetters.Count);
            activity.SetTag("logpipeline.partitions", batch.Store.Offsets.Count);
        }

        return activity;
    }

    internal static string DbSystem(BatchWriter store) => store.Provider == Data.StoreProvider.MariaDb ? "mariadb" : "sqlite";
}
