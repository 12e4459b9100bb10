using LogPipeline.Producer;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddProducer();

var app = builder.Build();

app.MapDefaultEndpoints();

return await app.RunOrExplainAsync();
