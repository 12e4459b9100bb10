extern alias api;
using LogPipeline.Data;

namespace LogPipeline.Tests.Api;

/// <summary>The API over a SQLite file in a temp folder.</summary>
public sealed class SqliteApiStore : ApiStore
{
    private readonly TempFolder _temp = new();

    protected override Task<StoreQueries> CreateStoreAsync() =>
        Task.FromResult(new StoreQueries(StoreProvider.Sqlite, $"Data Source={Path.Combine(_temp.Path, "api.db")}"));

    protected override Task ReleaseStoreAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _temp.Dispose();
        return Task.CompletedTask;
    }
}
