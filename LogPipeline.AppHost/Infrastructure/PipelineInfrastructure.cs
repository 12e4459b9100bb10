namespace LogPipeline.AppHost;

/// <summary>
/// What the services need from the infrastructure, whichever kind it is: how a service gets the
/// Kafka and store connection strings (and waits for them), and which store engine it talks to.
/// </summary>
public sealed class PipelineInfrastructure
{
    public required InfrastructureKind Kind { get; init; }

    /// <summary><c>MariaDb</c> or <c>Sqlite</c>: the services' <c>Store:Provider</c>.</summary>
    public required string StoreProvider { get; init; }

    /// <summary>Hands a service <c>ConnectionStrings:kafka</c> and makes it wait until Kafka is healthy.</summary>
    public required Func<IResourceBuilder<ProjectResource>, IResourceBuilder<ProjectResource>> WithKafka { get; init; }

    /// <summary>Hands a service <c>ConnectionStrings:logsdb</c> and makes it wait until the store is healthy.</summary>
    public required Func<IResourceBuilder<ProjectResource>, IResourceBuilder<ProjectResource>> WithStore { get; init; }

    /// <summary>Adds Grafana on the store, where the infrastructure can run it (it is a container only).</summary>
    public required Action<IResourceBuilder<ProjectResource>> AddGrafana { get; init; }
}
