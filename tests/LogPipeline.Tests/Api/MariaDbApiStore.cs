extern alias api;
using LogPipeline.Data;

namespace LogPipeline.Tests.Api;

/// <summary>
/// The API over a database of its own real MariaDB server, read through Pomelo. Its own server, not
/// the <c>mariadb</c> collection's: that collection stops its server for outage tests, and the API
/// tests should run beside it rather than after it.
/// </summary>
public sealed class MariaDbApiStore : ApiStore
{
    private readonly MariaDbServer _server = new();

    protected override async Task<StoreQueries> CreateStoreAsync()
    {
        await _server.InitializeAsync();
        return new StoreQueries(StoreProvider.MariaDb, _server.CreateDatabase("api"));
    }

    protected override async Task ReleaseStoreAsync()
    {
        MySqlConnector.MySqlConnection.ClearAllPools();
        await _server.DisposeAsync();
    }
}
