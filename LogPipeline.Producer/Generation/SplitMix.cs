namespace LogPipeline.Producer.Generation;

/// <summary>
/// SplitMix64: our own generator rather than <see cref="Random"/>, whose seeded sequence is not
/// promised across .NET versions, and replays must survive a runtime upgrade.
/// </summary>
internal sealed class SplitMix(ulong seed)
{
    private ulong _state = seed;

    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64() => Mix(_state += 0x9E3779B97F4A7C15UL);

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, max); the modulo bias is irrelevant at these sizes.</summary>
    public int Next(int max) => (int)(NextUInt64() % (ulong)max);

    public int Next(int min, int max) => min + Next(max - min);

    public bool Chance(double p) => NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Standard normal, Box-Muller.</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public double LogNormal(double median, double sigma) => median * Math.Exp(sigma * NextGaussian());

    public string Hex(int digits)
    {
        Span<char> chars = stackalloc char[digits];
        for (var i = 0; i < digits; i += 16)
        {
            var value = NextUInt64();
            for (var j = i; j < Math.Min(digits, i + 16); j++)
            {
                chars[j] = "0123456789abcdef"[(int)(value & 0xF)];
                value >>= 4;
            }
        }

        return new string(chars);
    }
}
