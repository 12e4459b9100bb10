namespace LogPipeline.Chaos;

/// <summary>One blow of a <see cref="ChaosPlan"/>.</summary>
public enum ChaosAction
{
    KillProcessor,
    PauseStore,
    ResumeStore,
    RestartStore,
}
