extern alias api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LogPipeline.Tests.Api;

/// <summary>The API's Program hosted in memory over a given store.</summary>
public sealed class ApiFactory(StoreQueries store, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<api::Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Store:Provider", store.Provider.ToString());
        builder.UseSetting("ConnectionStrings:logsdb", store.ConnectionString);
        builder.UseSetting("Api:TailPollInterval", "00:00:00.100");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }
}
