using LogPipeline.Data;

namespace LogPipeline.Tests.Data;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void EveryDurationFallsInsideItsBinBounds()
    {
        var random = new Random(7);
        for (var i = 0; i < 100_000; i++)
        {
            var ms = Math.Exp(random.NextDouble() * 20 - 5);
            var bin = LatencyHistogram.BinOf(ms);
            Assert.InRange(bin, 0, LatencyHistogram.OverflowBin);
            Assert.True(ms <= LatencyHistogram.UpperBoundOf(bin), $"{ms} above bin {bin}");
            if (bin > 0)
            {
                Assert.True(ms > LatencyHistogram.UpperBoundOf(bin - 1), $"{ms} below bin {bin}");
            }
        }
    }

    [Fact]
    public void BoundsAreExactBinEdges()
    {
        for (var bin = 1; bin < LatencyHistogram.OverflowBin; bin++)
        {
            Assert.Equal(bin, LatencyHistogram.BinOf(LatencyHistogram.UpperBoundOf(bin)));
        }

        Assert.Equal(0, LatencyHistogram.BinOf(0));
        Assert.Equal(0, LatencyHistogram.BinOf(-3));
        Assert.Equal(0, LatencyHistogram.BinOf(double.NaN));
        Assert.Equal(0, LatencyHistogram.BinOf(LatencyHistogram.MinMs));
        Assert.Equal(LatencyHistogram.OverflowBin, LatencyHistogram.BinOf(double.PositiveInfinity));
        Assert.Equal(LatencyHistogram.OverflowBin, LatencyHistogram.BinOf(LatencyHistogram.MaxMs * 1.01));
        Assert.True(LatencyHistogram.OverflowBin <= short.MaxValue);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.95)]
    [InlineData(0.99)]
    public void PercentilesAreWithinTwoPercentOfTheExactValue(double q)
    {
        var random = new Random(11);
        var durations = Enumerable.Range(0, 20_000).Select(_ => Math.Exp(random.NextDouble() * 10 - 2)).ToArray();
        var exact = durations.Order().ElementAt((int)Math.Ceiling(q * durations.Length) - 1);
        var bins = durations.GroupBy(LatencyHistogram.BinOf).Select(g => (g.Key, (long)g.Count()));

        var estimate = LatencyHistogram.Percentile(bins, q);

        Assert.InRange(Math.Abs(estimate - exact) / exact, 0, 0.02);
    }

    [Fact]
    public void MergedMinutesGiveTheSamePercentilesAsOneWindow()
    {
        var random = new Random(3);
        var durations = Enumerable.Range(0, 6_000).Select(_ => random.NextDouble() * 900 + 0.5).ToArray();
        var whole = durations.GroupBy(LatencyHistogram.BinOf).Select(g => (g.Key, (long)g.Count())).ToList();
        var perMinute = durations.Chunk(1_000).SelectMany(minute => minute.GroupBy(LatencyHistogram.BinOf).Select(g => (g.Key, (long)g.Count()))).ToList();

        foreach (var q in new[] { 0.5, 0.95, 0.99 })
        {
            Assert.Equal(LatencyHistogram.Percentile(whole, q), LatencyHistogram.Percentile(perMinute, q));
        }

        Assert.True(double.IsNaN(LatencyHistogram.Percentile([], 0.5)));
    }

    /// <summary>
    /// The one-pass reader of packed rows gives the array path's answers: packed in bin order (as the
    /// processor writes), in any order (as a backfill may), one bin, the overflow bin, and nothing.
    /// </summary>
    [Fact]
    public void PackedPercentilesEqualThoseOfTheBinsInAnyOrder()
    {
        var random = new Random(5);
        var reader = new PackedPercentiles();
        for (var round = 0; round < 500; round++)
        {
            var counts = new long[LatencyHistogram.BinCount];
            var used = round switch { 0 => 1, 1 => LatencyHistogram.BinCount, _ => random.Next(1, 120) };
            for (var i = 0; i < used; i++)
            {
                counts[round == 1 ? i : random.Next(LatencyHistogram.BinCount)] += round == 2 ? 1 : random.Next(1, 1_000);
            }

            var total = counts.Sum();
            var expected = (total, LatencyHistogram.Percentile(counts, total, 0.50), LatencyHistogram.Percentile(counts, total, 0.95), LatencyHistogram.Percentile(counts, total, 0.99));
            var ordered = LatencyHistogram.Pack(counts);
            var shuffled = string.Join(',', ordered.Split(',').OrderBy(_ => random.Next()));

            Assert.Equal(expected, reader.Read(ordered));
            Assert.Equal(expected, reader.Read(shuffled));
        }

        Assert.Equal(0, reader.Read("").Count);
        Assert.Throws<FormatException>(() => reader.Read("3:1,3:2"));
        Assert.Throws<FormatException>(() => reader.Read("3:1,x"));
        Assert.Throws<FormatException>(() => reader.Read($"{LatencyHistogram.BinCount}:1"));
    }
}
