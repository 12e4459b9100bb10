namespace LogPipeline.Chaos;

/// <summary>The kinds of record no one can store, each of which has stopped or fooled a pipeline somewhere.</summary>
public enum PoisonKind
{
    InvalidUtf8,
    Empty,
    TwoMegabytes,
    WrongJsonTypes,
    MissingFields,
    Year1970,
    Year2999,
    Binary,
    DeepNesting,
    UnknownFormat,
}
