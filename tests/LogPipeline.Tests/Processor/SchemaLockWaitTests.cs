using LogPipeline.Data;
using LogPipeline.Tests.Infrastructure;
using MySqlConnector;

namespace LogPipeline.Tests.Processor;

/// <summary>
/// A processor that starts while another process migrates the schema (on MariaDB, holding the named
/// migration lock; a large upgrade holds it for minutes) waits for that migration and says so: the
/// store answers, so it must not be reported as unreachable. Then it stores everything once.
/// </summary>
[Collection("mariadb")]
public sealed class SchemaLockWaitTests(MariaDbFixture mariaDb)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task AProcessorStartedDuringAnotherMigrationWaitsForItSaysSoThenStoresEverythingOnce()
    {
        using var temp = new TempFolder();
        var store = StoreQueries.Empty(StoreProvider.MariaDb, temp, mariaDb, "schemalock");
        using var kafka = TestKafka.Start();
        var scenario = PipelineScenario.Create(2_000, seed: 71, start: DateTimeOffset.UtcNow.AddMinutes(-20), step: TimeSpan.FromMilliseconds(50), poisonEvery: 500);
        scenario.ProduceTo(kafka.BootstrapServers);
        var log = Path.Combine(temp.Path, "processor.log");

        // The other migrator: a session holding the lock, as SchemaMigrator holds it while it migrates.
        await using var other = new MySqlConnection(store.ConnectionString);
        await other.OpenAsync();
        Assert.Equal(1L, Convert.ToInt64(await Scalar(other, $"SELECT GET_LOCK('{SchemaMigrator.LockName}', 0)"), System.Globalization.CultureInfo.InvariantCulture));

        using var processor = ProcessorProcess.Start(ProcessorHost.Settings(kafka.BootstrapServers, store), log);
        // Each try waits 30 s for the lock: the one at start, then the first in the background is reported.
        var text = await processor.WaitForLogAsync("Another process is migrating the log store schema", Timeout);
        Assert.True(text.Contains("Another process is migrating the log store schema", StringComparison.Ordinal), text);
        Assert.DoesNotContain("does not answer", text, StringComparison.Ordinal);
        Assert.False(processor.HasExited, text);
        // It did not migrate behind the other's back: the empty store has no tables yet.
        Assert.Equal(0, await store.ScalarAsync("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"));

        await Scalar(other, $"SELECT RELEASE_LOCK('{SchemaMigrator.LockName}')");
        Assert.Equal(scenario.Valid.Count, await store.WaitForRawCountAsync(scenario.Valid.Count, Timeout));
        Assert.False(processor.HasExited);
        text = await File.ReadAllTextAsync(log);
        Assert.DoesNotContain("does not answer", text, StringComparison.Ordinal);
        await StoreAssert.MatchesAsync(store, scenario);
    }

    private static async Task<object?> Scalar(MySqlConnection connection, string sql)
    {
        await using var command = new MySqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
