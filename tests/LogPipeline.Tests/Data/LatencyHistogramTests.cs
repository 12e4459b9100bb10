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
}
