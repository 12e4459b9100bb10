namespace LogPipeline.AppHost;

/// <summary>
/// Kafka, MariaDB and Grafana as containers, through Aspire.Hosting.Kafka and Aspire.Hosting.MySql
/// (compiled only where the package source serves them: build/ContainerHosting.props). This is also
/// what <c>azd up</c> deploys. The APIs were read in the microsoft/aspire sources.
/// </summary>
internal static class ContainerInfrastructure
{
    public static PipelineInfrastructure Add(IDistributedApplicationBuilder builder)
    {
        var kafka = builder.AddKafka("kafka")
            .WithKafkaUI()
            .WithDataVolume();

        // No default passwords: secret parameters, from user secrets locally and prompted for by azd.
        var mariaDbPassword = builder.AddParameter("mariadb-password", secret: true);
        var grafanaPassword = builder.AddParameter("grafana-admin-password", secret: true);

        var mariaDb = builder.AddMySql("mariadb", mariaDbPassword)
            .WithImage("mariadb", "11.4")
            .WithDataVolume();
        var logsDb = mariaDb.AddDatabase(LocalInfrastructure.DatabaseName);

        return new PipelineInfrastructure
        {
            Kind = InfrastructureKind.Containers,
            StoreProvider = "MariaDb",
            WithKafka = service => service.WithReference(kafka).WaitFor(kafka),
            WithStore = service => service.WithReference(logsDb).WaitFor(logsDb),
            // Grafana reads the store directly; its data source and dashboards are provisioned from ../grafana.
            AddGrafana = migrations => builder.AddContainer("grafana", "grafana/grafana", "12.0.0")
                .WithBindMount("../grafana/provisioning", "/etc/grafana/provisioning", isReadOnly: true)
                .WithEnvironment("GF_SECURITY_ADMIN_PASSWORD", grafanaPassword)
                .WithEnvironment("LOGSDB_HOST_AND_PORT", mariaDb.Resource.PrimaryEndpoint.Property(EndpointProperty.HostAndPort))
                .WithEnvironment("LOGSDB_USER", "root")
                .WithEnvironment("LOGSDB_PASSWORD", mariaDbPassword)
                .WithEnvironment("LOGSDB_DATABASE", LocalInfrastructure.DatabaseName)
                .WithHttpEndpoint(targetPort: 3000, name: "http")
                .WithExternalHttpEndpoints()
                .WaitForCompletion(migrations),
        };
    }
}
