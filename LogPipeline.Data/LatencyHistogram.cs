namespace LogPipeline.Data;

/// <summary>
/// Log-scale binning of HTTP durations, so that per-minute histograms merge exactly by adding
/// counts (the processor writes deltas, a crash loses nothing it has to recompute) and percentiles
/// of any window come from the merged bins.
/// </summary>
/// <remarks>
/// Bin 0 holds durations up to <see cref="MinMs"/> (0.01 ms), and negative or NaN values. Bin
/// <c>b</c> (1 &lt;= b &lt; <see cref="OverflowBin"/>) holds durations in
/// (<c>MinMs * Ratio^(b-1)</c>, <c>MinMs * Ratio^b</c>], with <see cref="Ratio"/> = 1.04. The last
/// bin, <see cref="OverflowBin"/>, holds everything above <see cref="MaxMs"/> (just over an hour).
/// A value reported as the geometric middle of its bin is within sqrt(1.04) - 1 (about 1.98%) of
/// the true value, so percentiles have a relative error of at most 2% inside the covered range.
/// </remarks>
public static class LatencyHistogram
{
    /// <summary>Upper bound of bin 0, in milliseconds.</summary>
    public const double MinMs = 0.01;

    /// <summary>Ratio between the bounds of consecutive bins.</summary>
    public const double Ratio = 1.04;

    /// <summary>The last bin: durations above <see cref="MaxMs"/>.</summary>
    public const int OverflowBin = 505;

    // Computed once, so a bound is the same double in BinOf, UpperBoundOf and every process.
    private static readonly double[] UpperBounds = Enumerable.Range(0, OverflowBin).Select(b => MinMs * Math.Pow(Ratio, b)).ToArray();

    private static readonly double LogRatio = Math.Log(Ratio);

    /// <summary>Upper bound of the last regular bin (bin <see cref="OverflowBin"/> - 1), in milliseconds.</summary>
    public static double MaxMs => UpperBounds[OverflowBin - 1];

    /// <summary>The bin that holds a duration in milliseconds.</summary>
    public static int BinOf(double ms)
    {
        if (double.IsNaN(ms) || ms <= MinMs)
        {
            return 0;
        }

        if (ms > MaxMs)
        {
            return OverflowBin;
        }

        var bin = (int)Math.Ceiling(Math.Log(ms / MinMs) / LogRatio);

        // Floating-point rounding can put a value that sits on a bound one bin off; bounds are inclusive above.
        if (bin > 1 && ms <= UpperBoundOf(bin - 1))
        {
            bin--;
        }
        else if (ms > UpperBoundOf(bin))
        {
            bin++;
        }

        return Math.Clamp(bin, 1, OverflowBin - 1);
    }

    /// <summary>The inclusive upper bound of a bin in milliseconds; infinity for the overflow bin.</summary>
    public static double UpperBoundOf(int bin)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bin);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bin, OverflowBin);
        return bin == OverflowBin ? double.PositiveInfinity : UpperBounds[bin];
    }

    /// <summary>
    /// The value (in milliseconds) that the bins report for a bin: the geometric middle of its bounds,
    /// <see cref="MinMs"/> for bin 0 and <see cref="MaxMs"/> for the overflow bin.
    /// </summary>
    public static double RepresentativeOf(int bin)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bin);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bin, OverflowBin);
        return bin switch
        {
            0 => MinMs,
            OverflowBin => MaxMs,
            _ => UpperBoundOf(bin) / Math.Sqrt(Ratio),
        };
    }

    /// <summary>
    /// The <paramref name="q"/> quantile (0 &lt;= q &lt;= 1, for example 0.95) of the durations
    /// summarised by the bins, which may repeat and come in any order (the minutes of a window, added
    /// up). Uses the nearest-rank definition: the smallest bin whose cumulative count reaches
    /// <c>ceil(q * total)</c>. Returns NaN when the bins hold no duration.
    /// </summary>
    public static double Percentile(IEnumerable<(int Bin, long Count)> bins, double q)
    {
        ArgumentNullException.ThrowIfNull(bins);
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1.0);

        // Counts by bin on the stack (the bins are bounded: 4 KiB), not a sorted map: the window
        // closer asks three percentiles of every service's minute, and the map cost a node per bin each time.
        Span<long> countsByBin = stackalloc long[BinCount];
        long total = 0;
        foreach (var (bin, count) in bins)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(bin);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(bin, OverflowBin);
            ArgumentOutOfRangeException.ThrowIfNegative(count);
            countsByBin[bin] += count;
            total += count;
        }

        return Percentile(countsByBin, total, q);
    }

    /// <summary>The number of bins, <see cref="OverflowBin"/> included: the length of a counts-by-bin array.</summary>
    public const int BinCount = OverflowBin + 1;

    /// <summary>
    /// Bin counts packed as text, <c>bin:count</c> joined by commas in bin order, zero counts left out
    /// (<c>latency_histogram_hour.bins</c>; the migration's backfill writes the same shape).
    /// </summary>
    public static string Pack(ReadOnlySpan<long> countsByBin)
    {
        var text = new System.Text.StringBuilder(countsByBin.Length * 6);
        for (var bin = 0; bin < countsByBin.Length; bin++)
        {
            if (countsByBin[bin] != 0)
            {
                text.Append(text.Length == 0 ? string.Empty : ",")
                    .Append(bin.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(':')
                    .Append(countsByBin[bin].ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    /// <summary>Adds packed bins (<see cref="Pack"/>, bins in any order) to <paramref name="countsByBin"/> (<see cref="BinCount"/> long).</summary>
    /// <exception cref="FormatException">The text is not packed bins.</exception>
    public static void AddPacked(ReadOnlySpan<char> packed, Span<long> countsByBin)
    {
        while (NextPacked(ref packed, out var bin, out var count))
        {
            countsByBin[bin] += count;
        }
    }

    /// <summary>
    /// Reads the first <c>bin:count</c> pair of packed bins (<see cref="Pack"/>) and moves
    /// <paramref name="packed"/> past it; false when nothing is left.
    /// </summary>
    /// <exception cref="FormatException">The first pair is not a packed bin.</exception>
    public static bool NextPacked(ref ReadOnlySpan<char> packed, out int bin, out long count)
    {
        if (packed.IsEmpty)
        {
            (bin, count) = (0, 0);
            return false;
        }

        var comma = packed.IndexOf(',');
        var pair = comma < 0 ? packed : packed[..comma];
        packed = comma < 0 ? [] : packed[(comma + 1)..];
        var colon = pair.IndexOf(':');
        if (colon < 0
            || !int.TryParse(pair[..colon], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bin)
            || !long.TryParse(pair[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count)
            || bin > OverflowBin)
        {
            throw new FormatException($"'{pair}' is not a packed latency bin (bin:count).");
        }

        return true;
    }

    /// <summary>
    /// The <paramref name="q"/> quantile of counts indexed by bin, as <see cref="Percentile(IEnumerable{ValueTuple{int, long}}, double)"/>
    /// gives it (nearest rank), for a caller that merged many histograms into one array; NaN when empty.
    /// </summary>
    public static double Percentile(ReadOnlySpan<long> countsByBin, long total, double q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1.0);
        if (total <= 0)
        {
            return double.NaN;
        }

        var rank = Math.Max(1L, (long)Math.Ceiling(q * total));
        long seen = 0;
        var last = 0;
        for (var bin = 0; bin < countsByBin.Length; bin++)
        {
            if (countsByBin[bin] == 0)
            {
                continue;
            }

            last = bin;
            seen += countsByBin[bin];
            if (seen >= rank)
            {
                return RepresentativeOf(bin);
            }
        }

        return RepresentativeOf(last);
    }
}
