using System.Text;
using Confluent.Kafka;
using LogPipeline.Data;
using LogPipeline.Kafka;
using LogPipeline.Formats;
using LogPipeline.Processor.Pipeline;
using LogPipeline.Processor.Storage;
using LogPipeline.Resilience;
using Microsoft.Extensions.Options;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace LogPipeline.Processor;

/// <summary>
/// The consume loop, on its own thread because <c>Consume</c> blocks. The worker owns its Kafka
/// consumer and its <see cref="ProcessingPipeline"/>: consumed records go down the pipeline to the
/// store, and the consumer's rebalances and the pipeline's commits come back here. Partitions start
/// from the offsets stored in the database with the data (never from Kafka's committed offsets), so
/// a restart resumes exactly after the last committed batch. When the pipeline is full the assigned
/// partitions are paused, the group membership is kept alive, and consumption resumes by itself once
/// the store catches up.
/// </summary>
public sealed partial class ProcessorWorker : BackgroundService, IAsyncDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RevokeDrainTimeout = TimeSpan.FromSeconds(30);

    private readonly IConsumer<string?, byte[]> _consumer;
    private readonly ProcessingPipeline _pipeline;
    private readonly StoreSchemaGate _schema;
    private readonly OffsetReader _offsets;
    private readonly ProcessorMetrics _metrics;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;
    private readonly string _topic;
    private readonly OutageLog _consumeErrors;

    // A handover of revoked partitions that was given up on (the store or Kafka did not answer in
    // time): its batches may still commit. Only the consume thread touches it.
    private Task? _unfinishedHandover;
    private readonly Queue<ConsumeResult<string?, byte[]>> _heldWhilePaused = new();

    // Records consumed but not yet handed to the pipeline; only the consume thread touches it
    // (the rebalance callbacks run inside Consume, on that thread).
    private readonly List<KafkaRecord> _chunk = new(ProcessingPipeline.ChunkSize);

    public ProcessorWorker(
        KafkaConsumerFactory consumers,
        StoreSchemaGate schema,
        RecordProcessor processor,
        BatchWriter store,
        DeadLetterPublisher deadLetters,
        OffsetReader offsets,
        StoredWatermark watermark,
        ProcessorMetrics metrics,
        IOptions<ProcessorOptions> options,
        IOptions<KafkaOptions> kafka,
        IHostApplicationLifetime lifetime,
        ILoggerFactory loggers)
    {
        _schema = schema;
        _offsets = offsets;
        _metrics = metrics;
        _lifetime = lifetime;
        _logger = loggers.CreateLogger<ProcessorWorker>();
        _topic = kafka.Value.Topics.Raw;
        _consumeErrors = new OutageLog(kafka.Value.OutageLogInterval);
        _pipeline = new ProcessingPipeline(
            consumers.GroupId, options.Value, processor, store, deadLetters, metrics, watermark, loggers.CreateLogger<ProcessingPipeline>(), onCommitted: ReportProgress);
        _consumer = consumers.CreateBuilder()
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((_, partitions) => OnRevoked(partitions.Select(p => p.TopicPartition).ToList()))
            .SetPartitionsLostHandler((_, partitions) => OnRevoked(partitions.Select(p => p.TopicPartition).ToList()))
            .Build();
    }

    /// <summary>The exit code of a processor fenced out by another that owns its partitions now: not a bug, but it stopped.</summary>
    public const int FencedExitCode = 3;

    /// <summary>The partitions this processor is assigned now.</summary>
    public IReadOnlyList<TopicPartition> Assignment => _consumer.Assignment;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Consuming starts once the schema is current (LogStoreExtensions.AddLogStoreMigrations says why it waits here).
        await _schema.Ready.WaitAsync(stoppingToken);
        try
        {
            await Task.Factory.StartNew(() => RunAsync(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        }
        catch (Exception ex)
        {
            // Stopped here rather than rethrown: the host would end the process with an unhandled
            // exception (SIGABRT, 134). Whoever supervises it sees a fenced processor apart from a broken one.
            var fenced = ex.GetBaseException() is PartitionFencedException;
            LogStopped(_logger, ex, fenced ? "fenced out by another processor" : "failed");
            Environment.ExitCode = fenced ? FencedExitCode : 1;
            _lifetime.StopApplication();
        }
    }

    /// <summary>Called by the consumer (inside Consume) with newly assigned partitions.</summary>
    private IEnumerable<TopicPartitionOffset> OnAssigned(List<TopicPartition> partitions)
    {
        // Records consumed before the rebalance go first, so the pipeline sees everything in consume order.
        HandOverChunkAsync(insideCallback: true, CancellationToken.None).GetAwaiter().GetResult();
        WaitForUnfinishedHandover();
        var stored = _offsets.ReadOffsetsAsync(_pipeline.GroupId, _topic, partitions.Where(p => p.Topic == _topic).Select(p => p.Partition.Value), CancellationToken.None)
            .GetAwaiter().GetResult();
        var assigned = partitions.Select(p => stored.TryGetValue((p.Topic, p.Partition.Value), out var s)
            ? (Topic: p.Topic, Partition: p.Partition.Value, NextOffset: s.NextOffset, WatermarkUtc: s.WatermarkUtc)
            : (Topic: p.Topic, Partition: p.Partition.Value, NextOffset: PartitionProgress.NoOffset, WatermarkUtc: (DateTime?)null)).ToList();
        if (!_pipeline.SendAsync(new PipelineItem.Assigned(assigned), CancellationToken.None).GetAwaiter().GetResult())
        {
            throw new InvalidOperationException("The processing pipeline has stopped.");
        }

        LogAssigned(_logger, partitions.Count, string.Join(", ", assigned.Select(a => $"{a.Partition}@{(a.NextOffset < 0 ? "start" : a.NextOffset)}")));
        return assigned.Select(a => new TopicPartitionOffset(a.Topic, a.Partition, a.NextOffset < 0 ? Offset.Beginning : new Offset(a.NextOffset)));
    }

    /// <summary>Called by the consumer (inside Consume) before partitions go to another member: write what we have of them first.</summary>
    private void OnRevoked(IReadOnlyList<TopicPartition> partitions)
    {
        if (_pipeline.Completion.IsCompleted)
        {
            return; // Closing after a stop: everything was written already.
        }

        // Records consumed before the rebalance go first: the barrier then writes them too.
        HandOverChunkAsync(insideCallback: true, CancellationToken.None).GetAwaiter().GetResult();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var barrier = new PipelineItem.Barrier(done, partitions.Select(p => (p.Topic, p.Partition.Value)).ToList());
        var sent = _pipeline.SendAsync(barrier, CancellationToken.None);
        // A stuck store must not hold the group's rebalance forever; the offset guard keeps it exact anyway.
        if (!sent.Wait(RevokeDrainTimeout) || !sent.Result || !done.Task.Wait(RevokeDrainTimeout))
        {
            LogRevokeNotDrained(_logger, partitions.Count);
            _unfinishedHandover = HandoverAsync(sent, done.Task);
        }

        lock (_heldWhilePaused)
        {
            _heldWhilePaused.Clear(); // held records of revoked partitions belong to their next owner
        }
    }

    /// <summary>
    /// Self-fencing: before a new assignment reads the store's offsets, the batches of a handover that
    /// was given up on must have committed or failed. Otherwise this process could read an offset that
    /// its own older batch is about to move, consume those records again, and have the new batch
    /// fenced by the old one (which stops the processor). It waits as long as the store or Kafka does.
    /// </summary>
    private void WaitForUnfinishedHandover()
    {
        if (_unfinishedHandover is not { } handover)
        {
            return;
        }

        _unfinishedHandover = null;
        if (handover.IsCompleted)
        {
            return;
        }

        LogWaitingForHandover(_logger);
        try
        {
            handover.Wait();
        }
        catch (AggregateException)
        {
            // The pipeline failed; the consume loop reports its error and stops.
            return;
        }

        LogHandoverFinished(_logger);
    }

    private static async Task HandoverAsync(Task<bool> sent, Task done)
    {
        if (await sent.ConfigureAwait(false))
        {
            await done.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Called by the pipeline after each commit: tells Kafka how far the store is, for lag monitoring;
    /// the store's offsets stay the truth.
    /// </summary>
    private void ReportProgress(IReadOnlyList<PartitionProgress> progress)
    {
        foreach (var p in progress)
        {
            try
            {
                _consumer.StoreOffset(new TopicPartitionOffset(p.Topic, p.Partition, p.NextOffset));
            }
            catch (KafkaException)
            {
                // Revoked meanwhile: its new owner reports its own progress.
            }
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        _consumer.Subscribe(_topic);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Gather a chunk while records are ready; hand it over as soon as none is (no added latency).
                var result = NextRecord(_chunk.Count == 0 ? PollTimeout : TimeSpan.Zero);
                if (_pipeline.Completion.IsCompleted)
                {
                    await _pipeline.Completion; // throws the pipeline's failure
                    return;
                }

                if (result is { IsPartitionEOF: false })
                {
                    _chunk.Add(ToRecord(result));
                    if (_chunk.Count < ProcessingPipeline.ChunkSize)
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
                if (!_pipeline.Completion.IsCompleted)
                {
                    await HandOverChunkAsync(insideCallback: false, CancellationToken.None);
                }

                await _pipeline.CompleteAsync();
            }
            finally
            {
                _consumer.Close();
            }
        }
    }

    /// <summary>
    /// Sends the gathered records to the pipeline. While it is full, the consume loop pauses and keeps
    /// polling; a rebalance callback (already inside Consume, which must not be re-entered) just waits.
    /// </summary>
    private async Task HandOverChunkAsync(bool insideCallback, CancellationToken stoppingToken)
    {
        if (_chunk.Count == 0)
        {
            return;
        }

        var records = _chunk.ToArray();
        _chunk.Clear();
        _metrics.Consumed(records.Length);
        var send = _pipeline.SendAsync(new PipelineItem.Records(records), stoppingToken);
        if (!send.IsCompleted && !insideCallback)
        {
            WaitWhilePaused(send, stoppingToken);
        }

        if (!await send)
        {
            await _pipeline.Completion;
            throw new InvalidOperationException("The processing pipeline stopped taking records.");
        }
    }

    private ConsumeResult<string?, byte[]>? NextRecord(TimeSpan timeout)
    {
        lock (_heldWhilePaused)
        {
            if (_heldWhilePaused.Count > 0)
            {
                return _heldWhilePaused.Dequeue();
            }
        }

        try
        {
            return _consumer.Consume(timeout);
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            // A broker-side hiccup or outage (leader moving, topic not there yet, brokers down): librdkafka
            // recovers by itself. Logged once, then once per Kafka:OutageLogInterval while it goes on.
            if (_consumeErrors.ShouldLog(DateTimeOffset.UtcNow, out var since, out var suppressed))
            {
                LogConsumeError(_logger, ex.Error.Code, ex.Error.Reason, since.TotalSeconds, suppressed);
            }

            return null;
        }
    }

    // Backpressure: pause every assigned partition and keep polling (which keeps the group membership
    // and runs rebalance callbacks) until the pipeline takes the record, then resume.
    private void WaitWhilePaused(Task<bool> send, CancellationToken stoppingToken)
    {
        _consumer.Pause(_consumer.Assignment);
        LogPaused(_logger);
        while (!send.IsCompleted && !stoppingToken.IsCancellationRequested)
        {
            var r = _consumer.Consume(PollTimeout);
            if (r is { IsPartitionEOF: false })
            {
                // Fetched before the pause took effect (or from a partition assigned meanwhile): keep it, pause it.
                lock (_heldWhilePaused)
                {
                    _heldWhilePaused.Enqueue(r);
                }

                _consumer.Pause([r.TopicPartition]);
            }
        }

        _consumer.Resume(_consumer.Assignment);
        LogResumed(_logger);
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

    /// <summary>The pipeline and the consumer are this worker's: disposed with it, even by a host that never ran it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _pipeline.DisposeAsync();
        _consumer.Dispose();
        base.Dispose();
    }

    public override void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    [LoggerMessage(EventId = 3100, Level = LogLevel.Critical, Message = "The processor stops ({How}); on restart it resumes from the store's offsets")]
    private static partial void LogStopped(ILogger logger, Exception exception, string how);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Assigned {Count} partition(s), resuming from the store's offsets: {Partitions}")]
    private static partial void LogAssigned(ILogger logger, int count, string partitions);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Could not write everything of {Count} revoked partition(s) in time; their next owner resumes from the stored offsets")]
    private static partial void LogRevokeNotDrained(ILogger logger, int count);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "Consume error {Code}: {Reason} (failing for {OutageSeconds:0} s, {Suppressed} errors not logged since the last line)")]
    private static partial void LogConsumeError(ILogger logger, ErrorCode code, string reason, double outageSeconds, long suppressed);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Warning, Message = "New assignment waits until the batches of the last, unfinished handover are written or fail (self-fencing)")]
    private static partial void LogWaitingForHandover(ILogger logger);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Information, Message = "The unfinished handover's batches are written; reading the store's offsets")]
    private static partial void LogHandoverFinished(ILogger logger);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Pipeline full (store slow or down): consumption paused")]
    private static partial void LogPaused(ILogger logger);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Consumption resumed")]
    private static partial void LogResumed(ILogger logger);
}
