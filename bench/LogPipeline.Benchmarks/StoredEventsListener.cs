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
    private const string StoredCounter = "logpipeline.events.stored";
    private const string LatencyHistogram = "logpipeline.event.stored.latency";
    private const string WriteDurationHistogram = "logpipeline.store.write.duration";

    private readonly MeterListener listener = new();
    private readonly Lock gate = new();
    private readonly List<double> latencies = [];
    private long stored;
    private long batches;
    private double writeSeconds;
    private long firstStoredAt;
    private long target = long.MaxValue;
    private long targetReachedAt;
    private TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool keepLatencies;

    public StoredEventsListener(IMeterFactory hostMeters)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == hostMeters && instrument.Meter.Name == ProcessorMetrics.MeterName
                && instrument.Name is StoredCounter or LatencyHistogram or WriteDurationHistogram)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => OnStored(value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
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
        listener.Start();
    }

    public long Stored => Interlocked.Read(ref stored);

    /// <summary>Store transactions so far, and the time they took (retries included), added up.</summary>
    public (long Batches, double WriteSeconds) Writes
    {
        get
        {
            lock (gate)
            {
                return (batches, writeSeconds);
            }
        }
    }

    /// <summary>Stopwatch timestamp of the first commit, 0 before it.</summary>
    public long FirstStoredAt => Interlocked.Read(ref firstStoredAt);

    /// <summary>Completes (with the stopwatch timestamp) once <paramref name="count"/> events in all have been committed.</summary>
    public Task<long> WaitForStoredAsync(long count, TimeSpan stallTimeout, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            target = count;
            reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            CheckTarget();
        }

        return WaitAsync(count, stallTimeout, cancellationToken);
    }

    /// <summary>From now on keep every latency measurement (seconds); older ones are dropped.</summary>
    public void StartKeepingLatencies()
    {
        lock (gate)
        {
            latencies.Clear();
            keepLatencies = true;
        }
    }

    public double[] TakeLatencies()
    {
        lock (gate)
        {
            keepLatencies = false;
            return [.. latencies];
        }
    }

    public void Dispose() => listener.Dispose();

    private async Task<long> WaitAsync(long count, TimeSpan stallTimeout, CancellationToken cancellationToken)
    {
        var last = Stored;
        var lastProgress = Stopwatch.GetTimestamp();
        while (true)
        {
            Task done;
            lock (gate)
            {
                done = reached.Task;
            }

            if (await Task.WhenAny(done, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken)).ConfigureAwait(false) == done)
            {
                return Interlocked.Read(ref targetReachedAt);
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
        var at = Stopwatch.GetTimestamp();
        Interlocked.CompareExchange(ref firstStoredAt, at, 0);
        var total = Interlocked.Add(ref stored, value);
        if (total >= Interlocked.Read(ref target))
        {
            lock (gate)
            {
                CheckTarget();
            }
        }
    }

    private void OnWrite(double seconds)
    {
        lock (gate)
        {
            batches++;
            writeSeconds += seconds;
        }
    }

    private void OnLatency(double seconds)
    {
        lock (gate)
        {
            if (keepLatencies)
            {
                latencies.Add(seconds);
            }
        }
    }

    private void CheckTarget()
    {
        if (Stored >= target && !reached.Task.IsCompleted)
        {
            Interlocked.Exchange(ref targetReachedAt, Stopwatch.GetTimestamp());
            reached.TrySetResult();
        }
    }
}
