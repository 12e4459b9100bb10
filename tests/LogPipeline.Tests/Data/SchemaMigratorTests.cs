using System.Data.Common;
using System.Globalization;
using LogPipeline.Data;
using LogPipeline.Tests.Infrastructure;

namespace LogPipeline.Tests.Data;

[Collection("mariadb")]
public sealed class SchemaMigratorTests(MariaDbFixture mariaDb) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("logpipeline-sqlite-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task AppliesEveryMigrationToAnEmptySqliteFileAndNothingOnASecondRun()
    {
        var factory = new StoreConnectionFactory(StoreProvider.Sqlite, $"Data Source={Path.Combine(_folder, "store.db")}");
        var migrator = new SchemaMigrator(StoreProvider.Sqlite);

        await using (var connection = await factory.OpenAsync())
        {
            Assert.Equal(0, await migrator.GetCurrentVersionAsync(connection));
            Assert.Equal(migrator.Migrations.Select(m => m.Version), await migrator.MigrateAsync(connection));
        }

        await using (var connection = await factory.OpenAsync())
        {
            Assert.Empty(await migrator.MigrateAsync(connection));
            Assert.Equal(migrator.LatestVersion, await migrator.GetCurrentVersionAsync(connection));
            await migrator.EnsureCurrentAsync(connection);
            Assert.Equal(migrator.Migrations.Count, await CountAsync(connection, "SELECT COUNT(*) FROM schema_migrations"));
            Assert.Equal(0, await CountAsync(connection, "SELECT COUNT(*) FROM log_events"));
            Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode"));
        }
    }

    [Fact]
    public async Task ConcurrentMigratorsOnOneSqliteFileApplyEachVersionOnce()
    {
        var factory = new StoreConnectionFactory(StoreProvider.Sqlite, $"Data Source={Path.Combine(_folder, "race.db")}");
        var migrator = new SchemaMigrator(StoreProvider.Sqlite);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            await using var connection = await factory.OpenAsync();
            return await migrator.MigrateAsync(connection);
        })));

        Assert.Equal(migrator.Migrations.Select(m => m.Version), results.SelectMany(r => r).Order());
        await using var check = await factory.OpenAsync();
        Assert.Equal(migrator.Migrations.Count, await CountAsync(check, "SELECT COUNT(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task AppliesEveryMigrationToAnEmptyMariaDbDatabaseAndNothingOnASecondRun()
    {
        var connectionString = mariaDb.CreateDatabase("migrate");
        var migrator = new SchemaMigrator(StoreProvider.MariaDb);

        await using (var connection = await MariaDbServer.OpenAsync(connectionString))
        {
            Assert.Equal(0, await migrator.GetCurrentVersionAsync(connection));
            await Assert.ThrowsAsync<InvalidOperationException>(() => migrator.EnsureCurrentAsync(connection));
            Assert.Equal(migrator.Migrations.Select(m => m.Version), await migrator.MigrateAsync(connection));
        }

        await using (var connection = await MariaDbServer.OpenAsync(connectionString))
        {
            Assert.Empty(await migrator.MigrateAsync(connection));
            Assert.Equal(migrator.LatestVersion, await migrator.GetCurrentVersionAsync(connection));
            await migrator.EnsureCurrentAsync(connection);
            Assert.Equal(migrator.Migrations.Count, await CountAsync(connection, "SELECT COUNT(*) FROM schema_migrations"));
            Assert.Equal(0, await CountAsync(connection, "SELECT COUNT(*) FROM log_events"));
            Assert.Equal(0, await CountAsync(connection,
                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND ENGINE <> 'InnoDB'"));
        }
    }

    [Fact]
    public async Task TwoConcurrentMariaDbMigratorsEndWithOneAppliedSet()
    {
        var connectionString = mariaDb.CreateDatabase("race");
        var migrator = new SchemaMigrator(StoreProvider.MariaDb);

        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            await using var connection = await MariaDbServer.OpenAsync(connectionString);
            return await migrator.MigrateAsync(connection);
        })));

        Assert.Equal(migrator.Migrations.Select(m => m.Version), results.SelectMany(r => r).Order());
        await using var check = await MariaDbServer.OpenAsync(connectionString);
        Assert.Equal(migrator.Migrations.Count, await CountAsync(check, "SELECT COUNT(*) FROM schema_migrations"));
        Assert.Equal(migrator.LatestVersion, await migrator.GetCurrentVersionAsync(check));
    }

    [Fact]
    public async Task MariaDbKeepsFourByteCharactersThroughTheConnectionFactory()
    {
        var connectionString = mariaDb.CreateDatabase("utf8");
        await using var connection = await MariaDbServer.OpenAsync(connectionString);
        await new SchemaMigrator(StoreProvider.MariaDb).MigrateAsync(connection);

        const string message = "disk full 💾 — naïve ✓";
        await using (var insert = connection.CreateCommand())
        {
            insert.CommandText =
                "INSERT INTO log_events (source_topic, source_partition, source_offset, timestamp_utc, utc_offset_minutes, received_at_utc, service, host, level, message, format) " +
                "VALUES ('logs.raw', 0, 1, @ts, 60, @ts, 'api', 'h1', 4, @message, 0)";
            AddParameter(insert, "@ts", new DateTime(2025, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc).AddTicks(90));
            AddParameter(insert, "@message", message);
            await insert.ExecuteNonQueryAsync();
        }

        Assert.Equal(message, await ScalarAsync(connection, "SELECT message FROM log_events"));
        Assert.Equal(new DateTime(2025, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc).AddTicks(90),
            Convert.ToDateTime(await ScalarAsync(connection, "SELECT timestamp_utc FROM log_events"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public void SplitsAScriptIntoStatementsAtLineEndSemicolons()
    {
        var statements = SchemaMigrator.SplitStatements("-- comment;\nCREATE TABLE a (\n  x INT\n);\n\nCREATE INDEX i ON a (x);\n");

        Assert.Equal(["CREATE TABLE a (\n  x INT\n)", "CREATE INDEX i ON a (x)"], statements);
    }

    internal static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    internal static async Task<object?> ScalarAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    internal static async Task<long> CountAsync(DbConnection connection, string sql) =>
        Convert.ToInt64(await ScalarAsync(connection, sql), CultureInfo.InvariantCulture);
}
