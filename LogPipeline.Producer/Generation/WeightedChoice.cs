namespace LogPipeline.Producer.Generation;

/// <summary>Draws an index with fixed relative weights.</summary>
internal sealed class WeightedChoice
{
    private readonly double[] _cumulative;

    public WeightedChoice(IEnumerable<double> weights)
    {
        var running = 0.0;
        _cumulative = [.. weights.Select(w => running += Math.Max(0, w))];
        if (running <= 0)
        {
            throw new ArgumentException("At least one weight must be positive.", nameof(weights));
        }
    }

    public int Draw(SplitMix random)
    {
        var target = random.NextDouble() * _cumulative[^1];
        var i = Array.BinarySearch(_cumulative, target);
        i = i < 0 ? ~i : i + 1;
        return Math.Min(i, _cumulative.Length - 1);
    }
}
