using System.Text;
using Confluent.Kafka;
using LogPipeline.Kafka;
using LogPipeline.Kafka.Wire;
using LogPipeline.Processor.Pipeline;
using LogPipeline.Processor.Storage;
using Microsoft.Extensions.Options;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace LogPipeline.Processor;

/// <summary>
/// The consume loop, on its own thread because <c>Consume</c> blocks. Partitions start from the
/// offsets stored in the database with the data (never from Kafka's committed offsets), so a
/// restart resumes exactly after the last committed batch. When the pipeline is full the
/// assigned partitions are paused, the group membership is kept alive, and consumption resumes
/// by itself once the store catches up.
/// </summary>
public sealed partial class ProcessorWorker(
    IConsumer<string?, byte[]> consumer,
    ProcessingPipeline pipeline,
    OffsetReader offsets,
    IOptions<KafkaOptions> kafka,
    ProcessorMetrics metrics,
    ILogger<ProcessorWorker> logger) : BackgroundService
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RevokeDrainTimeout = TimeSpan.FromSeconds(30);

    private readonly string topic = kafka.Value.Topics.Raw;
    private readonly Queue<ConsumeResult<string?, byte[]>> heldWhilePaused = new();

    // Records consumed but not yet handed to the pipeline; only the consume thread touches it
    // (the rebalance callbacks run inside Consume, on that thread).
    private readonly List<KafkaRecord> chunk = new(ProcessingPipeline.ChunkSize);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => RunAsync(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    /// <summary>Called by the consumer (inside Consume) with newly assigned partitions.</summary>
    internal IEnumerable<TopicPartitionOffset> OnAssigned(List<TopicPartition> partitions)
    {
        // Records consumed before the rebalance go first, so the pipeline sees everything in consume order.
        HandOverChunkAsync(insideCallback: true, CancellationToken.None).GetAwaiter().GetResult();
        var stored = offsets.ReadOffsetsAsync(pipeline.GroupId, topic, partitions.Where(p => p.Topic == topic).Select(p => p.Partition.Value), CancellationToken.None)
            .GetAwaiter().GetResult();
        var assigned = partitions.Select(p => stored.TryGetValue((p.Topic, p.Partition.Value), out var s)
            ? (p.Topic, p.Partition.Value, s.NextOffset, s.WatermarkUtc)
            : (p.Topic, p.Partition.Value, PartitionProgress.NoOffset, (DateTime?)null)).ToList();
        if (!pipeline.SendAsync(new PipelineItem.Assigned(assigned), CancellationToken.None).GetAwaiter().GetResult())
        {
            throw new InvalidOperationException("The processing pipeline has stopped.");
        }

        LogAssigned(logger, partitions.Count, string.Join(", ", assigned.Select(a => $"{a.Item2}@{(a.Item3 < 0 ? "start" : a.Item3)}")));
        return assigned.Select(a => new TopicPartitionOffset(a.Item1, a.Item2, a.Item3 < 0 ? Offset.Beginning : new Offset(a.Item3)));
    }

    /// <summary>Called by the consumer (inside Consume) before partitions go to another member: write what we have of them first.</summary>
    internal void OnRevoked(IReadOnlyList<TopicPartition> partitions)
    {
        if (pipeline.Completion.IsCompleted)
        {
            return; // Closing after a stop: everything was written already.
        }

        // Records consumed before the rebalance go first: the barrier then writes them too.
        HandOverChunkAsync(insideCallback: true, CancellationToken.None).GetAwaiter().GetResult();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var barrier = new PipelineItem.Barrier(done, partitions.Select(p => (p.Topic, p.Partition.Value)).ToList());
        var sent = pipeline.SendAsync(barrier, CancellationToken.None);
        // A stuck store must not hold the group's rebalance forever; the offset guard keeps it exact anyway.
        if (!sent.Wait(RevokeDrainTimeout) || !sent.Result || !done.Task.Wait(RevokeDrainTimeout))
        {
            LogRevokeNotDrained(logger, partitions.Count);
        }

        lock (heldWhilePaused)
        {
            heldWhilePaused.Clear(); // held records of revoked partitions belong to their next owner
        }
    }

    /// <summary>Tells Kafka how far the store is, for lag monitoring; the store's offsets stay the truth.</summary>
    internal void OnCommitted(IReadOnlyList<PartitionProgress> progress)
    {
        foreach (var p in progress)
        {
            try
            {
                consumer.StoreOffset(new TopicPartitionOffset(p.Topic, p.Partition, p.NextOffset));
            }
            catch (KafkaException)
            {
                // Revoked meanwhile: its new owner reports its own progress.
            }
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        consumer.Subscribe(topic);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Gather a chunk while records are ready; hand it over as soon as none is (no added latency).
                var result = NextRecord(chunk.Count == 0 ? PollTimeout : TimeSpan.Zero);
                if (pipeline.Completion.IsCompleted)
                {
                    await pipeline.Completion; // throws the pipeline's failure
                    return;
                }

                if (result is { IsPartitionEOF: false })
                {
                    chunk.Add(ToRecord(result));
                    if (chunk.Count < ProcessingPipeline.ChunkSize)
                    {
                        continue;
                    }
                }

                await HandOverChunkAsync(insideCallback: false, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            try
            {
                // Graceful stop: everything consumed is written before the group is left.
                if (!pipeline.Completion.IsCompleted)
                {
                    await HandOverChunkAsync(insideCallback: false, CancellationToken.None);
                }

                await pipeline.CompleteAsync();
            }
            finally
            {
                consumer.Close();
            }
        }
    }

    /// <summary>
    /// Sends the gathered records to the pipeline. While it is full, the consume loop pauses and keeps
    /// polling; a rebalance callback (already inside Consume, which must not be re-entered) just waits.
    /// </summary>
    private async Task HandOverChunkAsync(bool insideCallback, CancellationToken stoppingToken)
    {
        if (chunk.Count == 0)
        {
            return;
        }

        var records = chunk.ToArray();
        chunk.Clear();
        metrics.Consumed(records.Length);
        var send = pipeline.SendAsync(new PipelineItem.Records(records), stoppingToken);
        if (!send.IsCompleted && !insideCallback)
        {
            WaitWhilePaused(send, stoppingToken);
        }

        if (!await send)
        {
            await pipeline.Completion;
            throw new InvalidOperationException("The processing pipeline stopped taking records.");
        }
    }

    private ConsumeResult<string?, byte[]>? NextRecord(TimeSpan timeout)
    {
        lock (heldWhilePaused)
        {
            if (heldWhilePaused.Count > 0)
            {
                return heldWhilePaused.Dequeue();
            }
        }

        try
        {
            return consumer.Consume(timeout);
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            // A broker-side hiccup (leader moving, topic not there yet): librdkafka recovers by itself.
            LogConsumeError(logger, ex.Error.Code, ex.Error.Reason);
            return null;
        }
    }

    // Backpressure: pause every assigned partition and keep polling (which keeps the group membership
    // and runs rebalance callbacks) until the pipeline takes the record, then resume.
    private void WaitWhilePaused(Task<bool> send, CancellationToken stoppingToken)
    {
        consumer.Pause(consumer.Assignment);
        LogPaused(logger);
        while (!send.IsCompleted && !stoppingToken.IsCancellationRequested)
        {
            var r = consumer.Consume(PollTimeout);
            if (r is { IsPartitionEOF: false })
            {
                // Fetched before the pause took effect (or from a partition assigned meanwhile): keep it, pause it.
                lock (heldWhilePaused)
                {
                    heldWhilePaused.Enqueue(r);
                }

                consumer.Pause([r.TopicPartition]);
            }
        }

        consumer.Resume(consumer.Assignment);
        LogResumed(logger);
    }

    private static KafkaRecord ToRecord(ConsumeResult<string?, byte[]> r)
    {
        var headers = r.Message.Headers;
        string? host = null, traceParent = null;
        if (headers is not null)
        {
            if (headers.TryGetLastBytes(KafkaHeaderNames.Host, out var h))
            {
                host = Utf8Interner.Get(h); // one string per host, not per record
            }

            if (headers.TryGetLastBytes(KafkaHeaderNames.TraceParent, out var t))
            {
                traceParent = Encoding.ASCII.GetString(t);
            }
        }

        // CreateTime set by the producer: deterministic on redelivery, unlike the time we read it.
        var timestamp = r.Message.Timestamp.Type == TimestampType.NotAvailable
            ? DateTimeOffset.UtcNow
            : new DateTimeOffset(r.Message.Timestamp.UtcDateTime, TimeSpan.Zero);
        return new KafkaRecord(r.Topic, r.Partition.Value, r.Offset.Value, r.Message.Key, r.Message.Value ?? [], host, traceParent, timestamp);
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Assigned {Count} partition(s), resuming from the store's offsets: {Partitions}")]
    private static partial void LogAssigned(ILogger logger, int count, string partitions);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Could not write everything of {Count} revoked partition(s) in time; their next owner resumes from the stored offsets")]
    private static partial void LogRevokeNotDrained(ILogger logger, int count);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "Consume error {Code}: {Reason}")]
    private static partial void LogConsumeError(ILogger logger, ErrorCode code, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Pipeline full (store slow or down): consumption paused")]
    private static partial void LogPaused(ILogger logger);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Consumption resumed")]
    private static partial void LogResumed(ILogger logger);
}
