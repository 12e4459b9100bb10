using System.Diagnostics;
using System.Diagnostics.Metrics;
using LogPipeline.Processor.Pipeline;

namespace LogPipeline.Benchmarks;

/// <summary>
/// Listens to one processor host's meters (those its <see cref="IMeterFactory"/> created, not other
/// hosts' in this process): counts committed events, notes when the first and the target-th were
/// committed, adds up the time spent in store writes and keeps the raw event-to-stored latencies
/// while asked to.
/// </summary>
internal sealed class StoredEventsListener : IDisposable
{
    private const string ConsumedCounter = "logpipeline.records.consumed";
    private const string StoredCounter = "logpipeline.events.stored";
    private const string LatencyHistogram = "logpipeline.event.stored.latency";
    private const string WriteDurationHistogram = "logpipeline.store.write.duration";

    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly List<double> _latencies = [];
    private long _stored;
    private long _batches;
    private double _writeSeconds;
    private long _firstConsumedAt;
    private long _target = long.MaxValue;
    private long _targetReachedAt;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _keepLatencies;

    public StoredEventsListener(IMeterFactory hostMeters)
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == hostMeters && instrument.Meter.Name == ProcessorMetrics.MeterName
                && instrument.Name is ConsumedCounter or StoredCounter or LatencyHistogram or WriteDurationHistogram)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == ConsumedCounter)
            {
                Interlocked.CompareExchange(ref _firstConsumedAt, Stopwatch.GetTimestamp(), 0);
            }
            else
            {
                OnStored(value);
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == LatencyHistogram)
            {
                OnLatency(value);
            }
            else
            {
                OnWrite(value);
            }
        });
        _listener.Start();
    }

    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>Store transactions so far, and the time they took (retries included), added up.</summary>
    public (long Batches, double WriteSeconds) Writes
    {
        get
        {
            lock (_gate)
            {
                return (_batches, _writeSeconds);
            }
        }
    }

    /// <summary>Stopwatch timestamp of the first record consumed (the group joined, partitions assigned), 0 before it.</summary>
    public long FirstConsumedAt => Interlocked.Read(ref _firstConsumedAt);

    /// <summary>Completes (with the stopwatch timestamp) once <paramref name="count"/> events in all have been committed.</summary>
    public Task<long> WaitForStoredAsync(long count, TimeSpan stallTimeout, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _target = count;
            _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            CheckTarget();
        }

        return WaitAsync(count, stallTimeout, cancellationToken);
    }

    /// <summary>From now on keep every latency measurement (seconds); older ones are dropped.</summary>
    public void StartKeepingLatencies()
    {
        lock (_gate)
        {
            _latencies.Clear();
            _keepLatencies = true;
        }
    }

    public double[] TakeLatencies()
    {
        lock (_gate)
        {
            _keepLatencies = false;
            return [.. _latencies];
        }
    }

    public void Dispose() => _listener.Dispose();

    private async Task<long> WaitAsync(long count, TimeSpan stallTimeout, CancellationToken cancellationToken)
    {
        var last = Stored;
        var lastProgress = Stopwatch.GetTimestamp();
        while (true)
        {
            Task done;
            lock (_gate)
            {
                done = _reached.Task;
            }

            if (await Task.WhenAny(done, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken)).ConfigureAwait(false) == done)
            {
                return Interlocked.Read(ref _targetReachedAt);
            }

            var now = Stored;
            if (now != last)
            {
                (last, lastProgress) = (now, Stopwatch.GetTimestamp());
            }
            else if (Stopwatch.GetElapsedTime(lastProgress) > stallTimeout)
            {
                throw new TimeoutException($"The processor stored {now} of {count} events and made no progress for {stallTimeout.TotalSeconds:0} s.");
            }
        }
    }

    private void OnStored(long value)
    {
        var total = Interlocked.Add(ref _stored, value);
        if (total >= Interlocked.Read(ref _target))
        {
            lock (_gate)
            {
                CheckTarget();
            }
        }
    }

    private void OnWrite(double seconds)
    {
        lock (_gate)
        {
            _batches++;
            _writeSeconds += seconds;
        }
    }

    private void OnLatency(double seconds)
    {
        lock (_gate)
        {
            if (_keepLatencies)
            {
                _latencies.Add(seconds);
            }
        }
    }

    private void CheckTarget()
    {
        if (Stored >= _target && !_reached.Task.IsCompleted)
        {
            Interlocked.Exchange(ref _targetReachedAt, Stopwatch.GetTimestamp());
            _reached.TrySetResult();
        }
    }
}
