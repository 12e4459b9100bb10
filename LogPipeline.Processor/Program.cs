using LogPipeline.Data;
using LogPipeline.Processor;

var migration = Host.CreateApplicationBuilder(args);
if (migration.Configuration.GetValue<bool>("Store:MigrateOnly"))
{
    // The AppHost's migrations resource (see AddLogStoreMigrations), on a plain host: it binds no port.
    migration.AddServiceDefaults();
    migration.AddLogStore().AddLogStoreMigrations();
    return await migration.Build().RunOrExplainAsync();
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddProcessor();

var app = builder.Build();
app.MapDefaultEndpoints();

return await app.RunOrExplainAsync();
