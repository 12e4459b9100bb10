using LogPipeline.AppHost;

// Kafka, the store and Grafana, then the producer, the processor and the API, all in the Aspire
// dashboard. Infrastructure/ decides where Kafka and the store come from (containers, or local
// processes on a machine without a container runtime).
var builder = DistributedApplication.CreateBuilder(args);

try
{
    var infrastructure = builder.AddPipelineInfrastructure();
    builder.AddPipelineServices(infrastructure);
}
catch (InfrastructureException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}

await builder.Build().RunAsync();
return 0;
