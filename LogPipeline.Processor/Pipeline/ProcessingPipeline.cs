using System.Diagnostics;
using System.Threading.Tasks.Dataflow;
using LogPipeline.Processor.Storage;

namespace LogPipeline.Processor.Pipeline;

/// <summary>
/// The dataflow: parse (parallel, order kept) -> window and aggregate into batches (one thread) ->
/// write (one batch at a time: dead letters to Kafka, then one store transaction with the offsets).
/// Every block is bounded, so a slow or absent store stops the consumer instead of filling memory.
/// Made by <see cref="ProcessorWorker"/>, which feeds it and is told of each commit.
/// </summary>
public sealed partial class ProcessingPipeline : IAsyncDisposable
{
    private readonly ProcessorOptions options;
    private readonly RecordProcessor processor;
    private readonly BatchWriter store;
    private readonly DeadLetterPublisher deadLetters;
    private readonly ProcessorMetrics metrics;
    private readonly StoredWatermark watermark;
    private readonly ILogger logger;
    private readonly BatchAggregator aggregator;
    private readonly Action<IReadOnlyList<PartitionProgress>> onCommitted;
    private readonly TransformBlock<PipelineItem, PipelineItem> parse;
    private readonly ActionBlock<PipelineItem> aggregate;
    private readonly ActionBlock<PendingBatch> write;
    private readonly CancellationTokenSource abort = new();
    private readonly Task ticker;
    private readonly Task completion;

    // Batches handed to the writer and not yet written: the one being written and the one waiting.
    private int pendingWrites;

    // The writer's first error, for the one who finds it stopped (see FlushAsync).
    private Exception? writeFailure;

    public ProcessingPipeline(
        string groupId,
        ProcessorOptions options,
        RecordProcessor processor,
        BatchWriter store,
        DeadLetterPublisher deadLetters,
        ProcessorMetrics metrics,
        StoredWatermark watermark,
        ILogger logger,
        Action<IReadOnlyList<PartitionProgress>> onCommitted)
    {
        this.options = options;
        this.processor = processor;
        this.store = store;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.watermark = watermark;
        this.logger = logger;
        this.onCommitted = onCommitted;
        GroupId = groupId;
        aggregator = new BatchAggregator(groupId, this.options.AllowedLateness);

        // Capacities count chunks of up to ChunkSize records: BufferCapacity records per stage.
        var chunks = Math.Max(2, this.options.BufferCapacity / ChunkSize);
        parse = new TransformBlock<PipelineItem, PipelineItem>(
            item => item is PipelineItem.Records r ? new PipelineItem.Processed(Array.ConvertAll(r.Values, Process)) : item,
            new ExecutionDataflowBlockOptions
            {
                MaxDegreeOfParallelism = this.options.ParserParallelism,
                BoundedCapacity = chunks,
                EnsureOrdered = true,
            });
        aggregate = new ActionBlock<PipelineItem>(AggregateAsync, new ExecutionDataflowBlockOptions { BoundedCapacity = chunks });
        // One batch being written and one waiting: the rest of the backlog waits in Kafka.
        write = new ActionBlock<PendingBatch>(WriteAsync, new ExecutionDataflowBlockOptions { BoundedCapacity = 2 });
        parse.LinkTo(aggregate, new DataflowLinkOptions { PropagateCompletion = true });

        ticker = TickAsync(abort.Token);
        completion = RunAsync();
    }

    /// <summary>Most records the consumer hands over in one <see cref="PipelineItem.Records"/> item.</summary>
    public const int ChunkSize = 256;

    public string GroupId { get; }

    /// <summary>Completes when the pipeline has drained after <see cref="CompleteAsync"/>, or faults with the first failure.</summary>
    public Task Completion => completion;

    /// <summary>Offers an item; waits while the pipeline is full. False once the pipeline has failed or completed.</summary>
    public Task<bool> SendAsync(PipelineItem item, CancellationToken cancellationToken) => parse.SendAsync(item, cancellationToken);

    /// <summary>Stops taking items, writes everything taken, and waits for it.</summary>
    public async Task CompleteAsync()
    {
        parse.Complete();
        await completion;
    }

    public async ValueTask DisposeAsync()
    {
        parse.Complete();
        await abort.CancelAsync();
        try
        {
            await completion;
        }
        catch (Exception)
        {
            // Whatever stopped the pipeline (a store error, fencing, cancellation) was reported to whoever
            // awaited Completion; disposing must not throw it again.
        }

        abort.Dispose();
    }

    private async Task RunAsync()
    {
        try
        {
            await aggregate.Completion;
            await FlushAsync(); // the tail of the stream: a partial batch
            write.Complete();
            await write.Completion;
        }
        catch (Exception ex)
        {
            // One failed block fails the pipeline: the consumer's SendAsync returns false instead of waiting forever.
            ((IDataflowBlock)parse).Fault(ex);
            ((IDataflowBlock)aggregate).Fault(ex);
            ((IDataflowBlock)write).Fault(ex);
            throw;
        }
        finally
        {
            await abort.CancelAsync();
            await ticker;
        }
    }

    /// <summary>One processing span per record, continuing the producer's trace from the traceparent header.</summary>
    private ProcessedRecord Process(KafkaRecord record)
    {
        using var activity = ProcessorTelemetry.StartProcess(record, GroupId);
        var processed = processor.Process(record);
        if (activity is null)
        {
            return processed;
        }

        if (processed.Rejection is { } rejection)
        {
            activity.SetStatus(ActivityStatusCode.Error, rejection.Reason);
        }

        return processed with { Trace = activity.Context };
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.BatchLatency);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (!await aggregate.SendAsync(new PipelineItem.Tick(), cancellationToken))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task AggregateAsync(PipelineItem item)
    {
        switch (item)
        {
            case PipelineItem.Processed { Values: var processed }:
                foreach (var p in processed)
                {
                    if (p.Rejection is { } rejection)
                    {
                        metrics.DeadLettered(rejection.Reason);
                    }
                    else
                    {
                        metrics.Parsed(p.Format);
                    }

                    aggregator.Add(p);
                    if (aggregator.Count >= options.BatchSize)
                    {
                        await FlushAsync();
                    }
                }

                break;

            case PipelineItem.Assigned { Partitions: var assigned }:
                foreach (var (topic, partition, next, watermark) in assigned)
                {
                    aggregator.Assign(topic, partition, next, watermark);
                }

                break;

            case PipelineItem.Barrier { Done: var done, Revoked: var revoked }:
                aggregator.AddBarrier(done);
                await FlushAsync();
                foreach (var (topic, partition) in revoked)
                {
                    aggregator.Forget(topic, partition);
                }

                break;

            case PipelineItem.Tick:
                // A batch already waiting for the writer would only queue this one behind it: keep
                // filling it instead, so a busy writer gets one large transaction per write rather
                // than a small one per tick (each pays the aggregate upserts of every key touched).
                if (aggregator.Count > 0 && Volatile.Read(ref pendingWrites) < 2)
                {
                    await FlushAsync();
                }

                break;
        }
    }

    private async Task FlushAsync()
    {
        var batch = aggregator.Take();
        if (batch.IsEmpty)
        {
            return;
        }

        Interlocked.Increment(ref pendingWrites);
        if (!await write.SendAsync(batch))
        {
            // A faulted block declines at once but completes later: its Completion may not hold the
            // error yet, so the first failure is kept where it happened.
            throw new InvalidOperationException("The store writer has stopped; see its error.", Volatile.Read(ref writeFailure) ?? write.Completion.Exception?.GetBaseException());
        }
    }

    private async Task WriteAsync(PendingBatch batch)
    {
        try
        {
            await WriteBatchAsync(batch);
        }
        finally
        {
            Interlocked.Decrement(ref pendingWrites);
        }
    }

    private async Task WriteBatchAsync(PendingBatch batch)
    {
        try
        {
            // Dead letters first: their offsets are in the batch, so they must be in Kafka before the commit.
            await deadLetters.PublishAsync(batch.DeadLetters, abort.Token);
            if (batch.Store.Offsets.Count > 0)
            {
                using var activity = ProcessorTelemetry.StartStoreWrite(batch, ProcessorTelemetry.DbSystem(store));
                var started = Stopwatch.GetTimestamp();
                var fenced = await store.WriteAsync(batch.Store, abort.Token);
                if (fenced.Count > 0)
                {
                    throw new PartitionFencedException(fenced);
                }

                metrics.BatchWritten(batch, Stopwatch.GetElapsedTime(started), DateTimeOffset.UtcNow);
                foreach (var p in batch.Store.Offsets)
                {
                    if (p.WatermarkUtc is { } w)
                    {
                        watermark.Raise(w);
                    }
                }

                onCommitted(batch.Store.Offsets);
                LogBatchWritten(logger, batch.Store.Events.Count, batch.DeadLetters.Count, batch.Store.Offsets.Count);
            }

            foreach (var barrier in batch.Barriers)
            {
                barrier.TrySetResult();
            }
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref writeFailure, ex, null);

            // Fail the whole pipeline now: otherwise, with no further batch to hand over, no one would
            // find the writer stopped and the processor would sit idle with its error unlogged.
            ((IDataflowBlock)aggregate).Fault(ex);
            ((IDataflowBlock)parse).Fault(ex);
            foreach (var barrier in batch.Barriers)
            {
                barrier.TrySetException(ex);
            }

            throw;
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Wrote {Events} events and {DeadLetters} dead letters over {Partitions} partitions")]
    private static partial void LogBatchWritten(ILogger logger, int events, int deadLetters, int partitions);
}
