namespace LogPipeline.AppHost;

public static class PipelineServices
{
    /// <summary>
    /// The three services on the chosen infrastructure. One owner applies the schema before anything
    /// reads or writes the store: the processor in its migrate-only mode, which the others wait for.
    /// </summary>
    public static void AddPipelineServices(this IDistributedApplicationBuilder builder, PipelineInfrastructure infrastructure)
    {
        // No default passwords: secret parameters, generated once and kept in user secrets locally, asked for by azd.
        var apiKey = builder.AddParameter("api-key", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true);

        var migrations = infrastructure.WithStore(builder.AddProject<Projects.LogPipeline_Processor>("migrations")
            .WithArgs("--Store:MigrateOnly=true")
            .WithEnvironment("Store__Provider", infrastructure.StoreProvider));

        infrastructure.WithKafka(builder.AddProject<Projects.LogPipeline_Producer>("producer").WithHttpEndpoint())
            .WithHttpHealthCheck("/health");

        infrastructure.WithStore(infrastructure.WithKafka(builder.AddProject<Projects.LogPipeline_Processor>("processor").WithHttpEndpoint())
                .WithEnvironment("Store__Provider", infrastructure.StoreProvider))
            .WaitForCompletion(migrations)
            .WithHttpHealthCheck("/health");

        var api = infrastructure.WithStore(builder.AddProject<Projects.LogPipeline_Api>("api").WithHttpEndpoint())
            .WithEnvironment("Store__Provider", infrastructure.StoreProvider)
            .WithEnvironment("Api__Key", apiKey)
            .WaitForCompletion(migrations)
            .WithHttpHealthCheck("/health")
            .WithExternalHttpEndpoints();

        infrastructure.AddGrafana(migrations);
        _ = api;
    }
}
