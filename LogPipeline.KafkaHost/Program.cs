using LogPipeline.Kafka;
using LogPipeline.Kafka.Embedded;

var builder = WebApplication.CreateBuilder(args);

// This process is the cluster: embedded Kafka is always on here, on Kafka:Embedded:Port.
builder.Configuration["Kafka:Embedded:Enabled"] = "true";
builder.AddEmbeddedKafkaIfEnabled();
builder.AddServiceDefaults();
builder.AddKafkaOptions();

var app = builder.Build();

app.MapDefaultEndpoints();

return await app.RunOrExplainAsync();
