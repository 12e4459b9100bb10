// The full stack for a machine with Docker: Kafka, MariaDB, Grafana and the three services, all in
// the Aspire dashboard. Targets Aspire 13.5.4 (see the csproj); the APIs used here were read in the
// microsoft/aspire sources of that version.
var builder = DistributedApplication.CreateBuilder(args);

var kafka = builder.AddKafka("kafka")
    .WithKafkaUI()
    .WithDataVolume();

// No default passwords: secret parameters, from user secrets locally and prompted for by azd.
var mariaDbPassword = builder.AddParameter("mariadb-password", secret: true);
var apiKey = builder.AddParameter("api-key", secret: true);
var grafanaPassword = builder.AddParameter("grafana-admin-password", secret: true);

var mariaDb = builder.AddMySql("mariadb", mariaDbPassword)
    .WithImage("mariadb", "11.4")
    .WithDataVolume();
var logsDb = mariaDb.AddDatabase("logsdb");

// One owner applies the schema before anything reads or writes the store.
var migrations = builder.AddProject<Projects.LogPipeline_Processor>("migrations")
    .WithArgs("--Store:MigrateOnly=true")
    .WithEnvironment("Store__Provider", "MariaDb")
    .WithReference(logsDb)
    .WaitFor(logsDb);

builder.AddProject<Projects.LogPipeline_Producer>("producer")
    .WithReference(kafka)
    .WaitFor(kafka);

builder.AddProject<Projects.LogPipeline_Processor>("processor")
    .WithEnvironment("Store__Provider", "MariaDb")
    .WithReference(kafka)
    .WithReference(logsDb)
    .WaitFor(kafka)
    .WaitForCompletion(migrations);

builder.AddProject<Projects.LogPipeline_Api>("api")
    .WithEnvironment("Store__Provider", "MariaDb")
    .WithEnvironment("Api__Key", apiKey)
    .WithReference(logsDb)
    .WaitForCompletion(migrations)
    .WithExternalHttpEndpoints();

// Grafana reads the store directly; its data source and dashboards are provisioned from ../grafana.
builder.AddContainer("grafana", "grafana/grafana", "12.0.0")
    .WithBindMount("../grafana/provisioning", "/etc/grafana/provisioning", isReadOnly: true)
    .WithEnvironment("GF_SECURITY_ADMIN_PASSWORD", grafanaPassword)
    .WithEnvironment("LOGSDB_HOST_AND_PORT", mariaDb.Resource.PrimaryEndpoint.Property(EndpointProperty.HostAndPort))
    .WithEnvironment("LOGSDB_USER", "root")
    .WithEnvironment("LOGSDB_PASSWORD", mariaDbPassword)
    .WithEnvironment("LOGSDB_DATABASE", "logsdb")
    .WithHttpEndpoint(targetPort: 3000, name: "http")
    .WithExternalHttpEndpoints()
    .WaitForCompletion(migrations);

builder.Build().Run();
