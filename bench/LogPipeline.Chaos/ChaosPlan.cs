using System.Globalization;

namespace LogPipeline.Chaos;

/// <summary>When each blow lands, counted from the first record produced.</summary>
public sealed class ChaosPlan
{
    private ChaosPlan(double produceSeconds, List<(TimeSpan At, ChaosAction Action)> steps)
    {
        ProduceSeconds = produceSeconds;
        Steps = steps;
    }

    public double ProduceSeconds { get; }

    public IReadOnlyList<(TimeSpan At, ChaosAction Action)> Steps { get; }

    /// <summary>
    /// Kills at random moments within the production (5 % to 95 % of it), the store stop from a fifth of
    /// the way in (kills land during it too), the store kill after that stop and past 60 % of the way.
    /// </summary>
    public static ChaosPlan Create(ChaosOptions options, Random random)
    {
        var seconds = (double)options.Events / options.Rate;
        var steps = new List<(TimeSpan At, ChaosAction Action)>();
        for (var i = 0; i < options.Kills; i++)
        {
            steps.Add((TimeSpan.FromSeconds(seconds * (0.05 + (0.9 * random.NextDouble()))), ChaosAction.KillProcessor));
        }

        var pauseAt = TimeSpan.FromSeconds(seconds * 0.2);
        if (options.StoreStop > TimeSpan.Zero)
        {
            steps.Add((pauseAt, ChaosAction.PauseStore));
            steps.Add((pauseAt + options.StoreStop, ChaosAction.ResumeStore));
        }

        if (options.StoreRestart)
        {
            var after = pauseAt + options.StoreStop + TimeSpan.FromSeconds(10);
            var at = TimeSpan.FromSeconds(seconds * 0.6);
            steps.Add((at > after ? at : after, ChaosAction.RestartStore));
        }

        return new ChaosPlan(seconds, steps.OrderBy(s => s.At).ToList());
    }

    public override string ToString() =>
        string.Join(", ", Steps.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Action} at {s.At.TotalSeconds:N0} s")));
}
