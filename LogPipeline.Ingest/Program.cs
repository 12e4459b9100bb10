using LogPipeline.Ingest;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddIngest();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapIngest();

return await app.RunOrExplainAsync();
