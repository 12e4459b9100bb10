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
    private readonly ProcessorOptions _options;
    private readonly RecordProcessor _processor;
    private readonly BatchWriter _store;
    private readonly DeadLetterPublisher _deadLetters;
    private readonly ProcessorMetrics _metrics;
    private readonly StoredWatermark _watermark;
    private readonly ILogger _logger;
    private readonly BatchAggregator _aggregator;
    private readonly Action<IReadOnlyList<PartitionProgress>> _onCommitted;
    private readonly TransformBlock<PipelineItem, PipelineItem> _parse;
    private readonly ActionBlock<PipelineItem> _aggregate;
    private readonly ActionBlock<PendingBatch> _write;
    private readonly CancellationTokenSource _abort = new();
    private readonly Task _ticker;
    private readonly Task _completion;

    // Batches handed to the writer and not yet written: the one being written and the one waiting.
    private int _pendingWrites;

    // The writer's first error, for the one who finds it stopped (see FlushAsync).
    private Exception? _writeFailure;

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
        _options = options;
        _processor = processor;
        _store = store;
        _deadLetters = deadLetters;
        _metrics = metrics;
        _watermark = watermark;
        _logger = logger;
        _onCommitted = onCommitted;
        GroupId = groupId;
        _aggregator = new BatchAggregator(groupId, _options.AllowedLateness);

        // Capacities count chunks of up to ChunkSize records: BufferCapacity records per stage.
        var chunks = Math.Max(2, _options.BufferCapacity / ChunkSize);
        _parse = new TransformBlock<PipelineItem, PipelineItem>(
            item => item is PipelineItem.Records r ? new PipelineItem.Processed(Array.ConvertAll(r.Values, Process)) : item,
            new ExecutionDataflowBlockOptions
            {
                MaxDegreeOfParallelism = _options.ParserParallelism,
                BoundedCapacity = chunks,
                EnsureOrdered = true,
            });
        _aggregate = new ActionBlock<PipelineItem>(AggregateAsync, new ExecutionDataflowBlockOptions { BoundedCapacity = chunks });
        // One batch being written and one waiting: the rest of the backlog waits in Kafka.
        _write = new ActionBlock<PendingBatch>(WriteAsync, new ExecutionDataflowBlockOptions { BoundedCapacity = 2 });
        _parse.LinkTo(_aggregate, new DataflowLinkOptions { PropagateCompletion = true });

        _ticker = TickAsync(_abort.Token);
        _completion = RunAsync();
    }

    /// <summary>Most records the consumer hands over in one <see cref="PipelineItem.Records"/> item.</summary>
    public const int ChunkSize = 256;

    public string GroupId { get; }

    /// <summary>Completes when the pipeline has drained after <see cref="CompleteAsync"/>, or faults with the first failure.</summary>
    public Task Completion => _completion;

    /// <summary>Offers an item; waits while the pipeline is full. False once the pipeline has failed or completed.</summary>
    public Task<bool> SendAsync(PipelineItem item, CancellationToken cancellationToken) => _parse.SendAsync(item, cancellationToken);

    /// <summary>Stops taking items, writes everything taken, and waits for it.</summary>
    public async Task CompleteAsync()
    {
        _parse.Complete();
        await _completion;
    }

    public async ValueTask DisposeAsync()
    {
        _parse.Complete();
        await _abort.CancelAsync();
        try
        {
            await _completion;
        }
        catch (Exception)
        {
            // Whatever stopped the pipeline (a store error, fencing, cancellation) was reported to whoever
            // awaited Completion; disposing must not throw it again.
        }

        _abort.Dispose();
    }

    private async Task RunAsync()
    {
        try
        {
            await _aggregate.Completion;
            await FlushAsync(); // the tail of the stream: a partial batch
            _write.Complete();
            await _write.Completion;
        }
        catch (Exception ex)
        {
            // One failed block fails the pipeline: the consumer's SendAsync returns false instead of waiting forever.
            ((IDataflowBlock)_parse).Fault(ex);
            ((IDataflowBlock)_aggregate).Fault(ex);
            ((IDataflowBlock)_write).Fault(ex);
            throw;
        }
        finally
        {
            await _abort.CancelAsync();
            await _ticker;
        }
    }

    /// <summary>One processing span per record, continuing the producer's trace from the traceparent header.</summary>
    private ProcessedRecord Process(KafkaRecord record)
    {
        using var activity = ProcessorTelemetry.StartProcess(record, GroupId);
        var processed = _processor.Process(record);
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
        using var timer = new PeriodicTimer(_options.BatchLatency);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (!await _aggregate.SendAsync(new PipelineItem.Tick(), cancellationToken))
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
                        _metrics.DeadLettered(rejection.Reason);
                    }
                    else
                    {
                        _metrics.Parsed(p.Format);
                    }

                    _aggregator.Add(p);
                    if (_aggregator.Count >= _options.BatchSize)
                    {
                        await FlushAsync();
                    }
                }

                break;

            case PipelineItem.Assigned { Partitions: var assigned }:
                foreach (var (topic, partition, next, watermark) in assigned)
                {
                    _aggregator.Assign(topic, partition, next, watermark);
                }

                break;

            case PipelineItem.Barrier { Done: var done, Revoked: var revoked }:
                _aggregator.AddBarrier(done);
                await FlushAsync();
                foreach (var (topic, partition) in revoked)
                {
                    _aggregator.Forget(topic, partition);
                }

                break;

            case PipelineItem.Tick:
                // A batch already waiting for the writer would only queue this one behind it: keep
                // filling it instead, so a busy writer gets one large transaction per write rather
                // than a small one per tick (each pays the aggregate upserts of every key touched).
                if (_aggregator.Count > 0 && Volatile.Read(ref _pendingWrites) < 2)
                {
                    await FlushAsync();
                }

                break;
        }
    }

    private async Task FlushAsync()
    {
        var batch = _aggregator.Take();
        if (batch.IsEmpty)
        {
            return;
        }

        Interlocked.Increment(ref _pendingWrites);
        if (!await _write.SendAsync(batch))
        {
            // A faulted block declines at once but completes later: its Completion may not hold the
            // error yet, so the first failure is kept where it happened.
            throw new InvalidOperationException("The store writer has stopped; see its error.", Volatile.Read(ref _writeFailure) ?? _write.Completion.Exception?.GetBaseException());
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
            Interlocked.Decrement(ref _pendingWrites);
        }
    }

    private async Task WriteBatchAsync(PendingBatch batch)
    {
        try
        {
            // Dead letters first: their offsets are in the batch, so they must be in Kafka before the commit.
            await _deadLetters.PublishAsync(batch.DeadLetters, _abort.Token);
            if (batch.Store.Offsets.Count > 0)
            {
                using var activity = ProcessorTelemetry.StartStoreWrite(batch, ProcessorTelemetry.DbSystem(_store));
                var started = Stopwatch.GetTimestamp();
                var fenced = await _store.WriteAsync(batch.Store, _abort.Token);
                if (fenced.Count > 0)
                {
                    throw new PartitionFencedException(fenced);
                }

                _metrics.BatchWritten(batch, Stopwatch.GetElapsedTime(started), DateTimeOffset.UtcNow);
                foreach (var p in batch.Store.Offsets)
                {
                    if (p.WatermarkUtc is { } w)
                    {
                        _watermark.Raise(w);
                    }
                }

                _onCommitted(batch.Store.Offsets);
                LogBatchWritten(_logger, batch.Store.Events.Count, batch.DeadLetters.Count, batch.Store.Offsets.Count);
            }

            foreach (var barrier in batch.Barriers)
            {
                barrier.TrySetResult();
            }
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref _writeFailure, ex, null);

            // Fail the whole pipeline now: otherwise, with no further batch to hand over, no one would
            // find the writer stopped and the processor would sit idle with its error unlogged.
            ((IDataflowBlock)_aggregate).Fault(ex);
            ((IDataflowBlock)_parse).Fault(ex);
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
