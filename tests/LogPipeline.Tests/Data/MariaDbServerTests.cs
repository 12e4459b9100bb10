using LogPipeline.Data;
using LogPipeline.Tests.Infrastructure;

namespace LogPipeline.Tests.Data;

[Collection("mariadb")]
public sealed class MariaDbServerTests(MariaDbFixture mariaDb)
{
    [Fact]
    public async Task KeepsPortAndDataAcrossStopAndStart()
    {
        var connectionString = mariaDb.CreateDatabase("restart");
        await using (var connection = await MariaDbServer.OpenAsync(connectionString))
        {
            await new SchemaMigrator(StoreProvider.MariaDb).MigrateAsync(connection);
        }

        var port = mariaDb.Port;
        mariaDb.Stop();
        try
        {
            Assert.False(mariaDb.IsRunning);
            await Assert.ThrowsAnyAsync<Exception>(() => MariaDbServer.OpenAsync(connectionString));
        }
        finally
        {
            mariaDb.Start();
        }

        Assert.Equal(port, mariaDb.Port);
        await using var reopened = await MariaDbServer.OpenAsync(connectionString);
        Assert.Equal(new SchemaMigrator(StoreProvider.MariaDb).LatestVersion, await new SchemaMigrator(StoreProvider.MariaDb).GetCurrentVersionAsync(reopened));
    }
}
