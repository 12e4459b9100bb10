using LogPipeline.Processor;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddProcessor();

var app = builder.Build();

app.MapDefaultEndpoints();

return await app.RunOrExplainAsync();
