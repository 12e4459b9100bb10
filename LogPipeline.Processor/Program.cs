using LogPipeline.Data;
using LogPipeline.Processor;

var builder = WebApplication.CreateBuilder(args);
if (builder.Configuration.GetValue<bool>("Store:MigrateOnly"))
{
    // The AppHost's migrations resource (see AddLogStoreMigrations), on a plain host: it binds no port.
    var migration = Host.CreateApplicationBuilder(args);
    migration.AddServiceDefaults();
    migration.AddLogStore().AddLogStoreMigrations();
    return await migration.Build().RunOrExplainAsync();
}

builder.AddServiceDefaults();
builder.AddProcessor();

var app = builder.Build();
app.MapDefaultEndpoints();

return await app.RunOrExplainAsync();
