using LogPipeline.Data;
using LogPipeline.Processor;

var builder = WebApplication.CreateBuilder(args);

if (builder.Configuration.GetValue<bool>("Store:MigrateOnly"))
{
    // The AppHost's migration step: bring the schema up to date, then exit.
    return await builder.MigrateStoreAsync();
}

builder.AddServiceDefaults();
builder.AddProcessor();

var app = builder.Build();

app.MapDefaultEndpoints();

return await app.RunOrExplainAsync();
