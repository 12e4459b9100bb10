using LogPipeline.Api;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApi();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapApi();

return await app.RunOrExplainAsync();

/// <summary>The entry point, public so tests can host the API with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
