namespace LogPipeline.Data;

/// <summary>
/// The count and p50/p95/p99 of packed latency bins (<see cref="LatencyHistogram.Pack"/>), read in one
/// pass over the text into two reused arrays: a week of five-minute rollup rows is ~16,000 rows of
/// ~700 characters, where adding each into a zeroed <see cref="LatencyHistogram.BinCount"/> array and
/// scanning it three times was most of the latency route's time. One instance per request (not
/// thread-safe). Same nearest-rank answers as <see cref="LatencyHistogram.Percentile(ReadOnlySpan{long}, long, double)"/>.
/// </summary>
public sealed class PackedPercentiles
{
    private readonly int[] _bins = new int[LatencyHistogram.BinCount];
    private readonly long[] _counts = new long[LatencyHistogram.BinCount];

    /// <exception cref="FormatException">The text is not packed bins, or names a bin twice.</exception>
    public (long Count, double P50, double P95, double P99) Read(ReadOnlySpan<char> packed)
    {
        var n = 0;
        long total = 0;
        var ascending = true;
        while (LatencyHistogram.NextPacked(ref packed, out var bin, out var count))
        {
            if (n == _bins.Length)
            {
                throw new FormatException("More packed latency bins than there are bins.");
            }

            ascending &= n == 0 || bin > _bins[n - 1];
            _bins[n] = bin;
            _counts[n] = count;
            total += count;
            n++;
        }

        // Pack writes bins in order; a backfill may not have (SQLite's group_concat promises no order).
        if (!ascending)
        {
            _bins.AsSpan(0, n).Sort(_counts.AsSpan(0, n));
            for (var i = 1; i < n; i++)
            {
                if (_bins[i] == _bins[i - 1])
                {
                    throw new FormatException($"Bin {_bins[i]} is packed twice.");
                }
            }
        }

        if (total <= 0)
        {
            return (0, double.NaN, double.NaN, double.NaN);
        }

        Span<long> ranks = [Rank(0.50, total), Rank(0.95, total), Rank(0.99, total)];
        Span<double> values = [double.NaN, double.NaN, double.NaN];
        var next = 0;
        long seen = 0;
        var last = 0;
        for (var i = 0; i < n && next < ranks.Length; i++)
        {
            if (_counts[i] == 0)
            {
                continue;
            }

            last = _bins[i];
            seen += _counts[i];
            while (next < ranks.Length && seen >= ranks[next])
            {
                values[next++] = LatencyHistogram.RepresentativeOf(_bins[i]);
            }
        }

        for (; next < ranks.Length; next++)
        {
            values[next] = LatencyHistogram.RepresentativeOf(last);
        }

        return (total, values[0], values[1], values[2]);

        static long Rank(double q, long total) => Math.Max(1L, (long)Math.Ceiling(q * total));
    }
}
