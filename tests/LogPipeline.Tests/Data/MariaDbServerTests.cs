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
        await new StoreQueries(StoreProvider.MariaDb, connectionString).MigrateAsync();

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

    [Fact]
    public async Task ACommandThatOutlastsItsTimeoutIsTransient()
    {
        // A stopped (SIGSTOP) server answers nothing: the driver gives up after the command timeout,
        // and the processor must wait that out, not stop.
        await using var connection = await MariaDbServer.OpenAsync(mariaDb.ConnectionString);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT SLEEP(5)";
        command.CommandTimeout = 1;
        var error = await Assert.ThrowsAsync<MySqlConnector.MySqlException>(() => command.ExecuteScalarAsync());
        Assert.Equal(MySqlConnector.MySqlErrorCode.CommandTimeoutExpired, error.ErrorCode);
        Assert.True(StoreErrors.IsTransient(error));
    }
}
