namespace LogPipeline.AppHost;

/// <summary>
/// A Kafka cluster and a MariaDB database that run already (a managed Kafka, Azure Database for
/// MySQL or MariaDB, your own servers): two connection strings, <c>kafka</c> (bootstrap servers) and
/// <c>logsdb</c>, read from the AppHost's configuration when it runs, and asked for by azd as secret
/// parameters when it is published. Needs no container hosting packages, so it is what a build
/// without them publishes. Grafana is left out: it would need the database's parts one by one.
/// </summary>
internal static class ExistingInfrastructure
{
    public static PipelineInfrastructure Add(IDistributedApplicationBuilder builder)
    {
        var kafka = builder.AddConnectionString("kafka");
        var logsDb = builder.AddConnectionString(LocalInfrastructure.DatabaseName);
        return new PipelineInfrastructure
        {
            Kind = InfrastructureKind.Existing,
            StoreProvider = "MariaDb",
            WithKafka = service => service.WithReference(kafka),
            WithStore = service => service.WithReference(logsDb),
            AddGrafana = _ => { },
        };
    }
}
