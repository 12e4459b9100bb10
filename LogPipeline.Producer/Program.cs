using LogPipeline.Kafka.Embedded;
using LogPipeline.Producer;

var builder = WebApplication.CreateBuilder(args);

builder.AddEmbeddedKafkaIfEnabled();
builder.AddServiceDefaults();
builder.AddProducer();

var app = builder.Build();

app.MapDefaultEndpoints();

return await app.RunOrExplainAsync();
