using System.Data.Common;
using System.Globalization;
using LogPipeline.Data;
using LogPipeline.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace LogPipeline.Tests.Data;

/// <summary>
/// The EF model (what the API queries) and the SQL migrations (what the database has) are written
/// separately; these tests hold them together on both engines, on real databases.
/// </summary>
[Collection("mariadb")]
public sealed class SchemaAgreementTests(MariaDbFixture mariaDb) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("logpipeline-sqlite-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task EfModelMatchesTheMigratedMariaDbSchema()
    {
        var expected = EfSchema();
        await using var connection = await MariaDbServer.OpenAsync(mariaDb.CreateDatabase("agreement"));
        await new SchemaMigrator(StoreProvider.MariaDb).MigrateAsync(connection);

        var columns = await QueryAsync(connection,
            "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, IS_NULLABLE, DATETIME_PRECISION, COLUMN_TYPE FROM information_schema.COLUMNS " +
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> 'schema_migrations' ORDER BY TABLE_NAME, ORDINAL_POSITION");
        var statistics = await QueryAsync(connection,
            "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM information_schema.STATISTICS " +
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> 'schema_migrations' ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX");

        Assert.Equal(expected.Keys.Order(), columns.Select(c => Text(c["TABLE_NAME"])).Distinct().Order());
        foreach (var (tableName, table) in expected)
        {
            var actual = columns.Where(c => Text(c["TABLE_NAME"]) == tableName).ToDictionary(c => Text(c["COLUMN_NAME"]));
            Assert.Equal(table.Columns.Select(c => c.Name).Order(), actual.Keys.Order());
            foreach (var column in table.Columns)
            {
                var row = actual[column.Name];
                var where = $"{tableName}.{column.Name}";
                var (dataTypes, length) = MariaDbTypesFor(column);
                Assert.True(dataTypes.Contains(Text(row["DATA_TYPE"])), $"{where}: MariaDB type {Text(row["DATA_TYPE"])}, EF needs one of {string.Join(", ", dataTypes)}");
                if (length is not null)
                {
                    Assert.True(length == Convert.ToInt32(row["CHARACTER_MAXIMUM_LENGTH"], CultureInfo.InvariantCulture), $"{where}: length {row["CHARACTER_MAXIMUM_LENGTH"]}, EF max length {length}");
                }

                // byte is unsigned (0..255, as Pomelo maps it); short, int and long are signed.
                if (column.ClrType == typeof(byte) || column.ClrType == typeof(short) || column.ClrType == typeof(int) || column.ClrType == typeof(long))
                {
                    var unsigned = Text(row["COLUMN_TYPE"]).Contains("unsigned", StringComparison.Ordinal);
                    Assert.True(unsigned == (column.ClrType == typeof(byte)), $"{where}: column type {row["COLUMN_TYPE"]} for {column.ClrType.Name}");
                }

                if (column.ClrType == typeof(DateTime))
                {
                    Assert.True(Convert.ToInt32(row["DATETIME_PRECISION"], CultureInfo.InvariantCulture) == 6, $"{where}: DATETIME precision {row["DATETIME_PRECISION"]}, expected 6");
                }

                Assert.True(column.IsNullable == (Text(row["IS_NULLABLE"]) == "YES"), $"{where}: nullable {row["IS_NULLABLE"]}, EF nullable {column.IsNullable}");
            }

            var indexes = statistics.Where(s => Text(s["TABLE_NAME"]) == tableName)
                .GroupBy(s => Text(s["INDEX_NAME"]))
                .ToDictionary(g => g.Key, g => (Unique: Convert.ToInt32(g.First()["NON_UNIQUE"], CultureInfo.InvariantCulture) == 0, Columns: g.Select(s => Text(s["COLUMN_NAME"])).ToList()));
            Assert.Equal(table.PrimaryKey, indexes["PRIMARY"].Columns);
            Assert.Equal(
                table.Indexes.OrderBy(i => i.Name).Select(i => $"{i.Name} unique={i.Unique} ({string.Join(", ", i.Columns)})"),
                indexes.Where(i => i.Key != "PRIMARY").OrderBy(i => i.Key).Select(i => $"{i.Key} unique={i.Value.Unique} ({string.Join(", ", i.Value.Columns)})"));
        }
    }

    [Fact]
    public async Task EfModelMatchesTheMigratedSqliteSchema()
    {
        var expected = EfSchema();
        var factory = new StoreConnectionFactory(StoreProvider.Sqlite, $"Data Source={Path.Combine(_folder, "agreement.db")}");
        await using var connection = await factory.OpenAsync();
        await new SchemaMigrator(StoreProvider.Sqlite).MigrateAsync(connection);

        var tables = await QueryAsync(connection,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name");
        Assert.Equal(expected.Keys.Order(), tables.Select(t => Text(t["name"])).Order());

        foreach (var (tableName, table) in expected)
        {
            var info = await QueryAsync(connection, $"SELECT name, type, \"notnull\", pk FROM pragma_table_xinfo('{tableName}')");
            var actual = info.ToDictionary(c => Text(c["name"]));
            Assert.Equal(table.Columns.Select(c => c.Name).Order(), actual.Keys.Order());
            foreach (var column in table.Columns)
            {
                var row = actual[column.Name];
                var where = $"{tableName}.{column.Name}";
                Assert.True(SqliteTypeFor(column) == Text(row["type"]), $"{where}: SQLite type {row["type"]}, EF needs {SqliteTypeFor(column)}");
                Assert.True(column.IsNullable == (Convert.ToInt64(row["notnull"], CultureInfo.InvariantCulture) == 0), $"{where}: notnull {row["notnull"]}, EF nullable {column.IsNullable}");
            }

            Assert.Equal(table.PrimaryKey,
                info.Where(c => Convert.ToInt64(c["pk"], CultureInfo.InvariantCulture) > 0).OrderBy(c => Convert.ToInt64(c["pk"], CultureInfo.InvariantCulture)).Select(c => Text(c["name"])));

            var indexList = await QueryAsync(connection, $"SELECT name, \"unique\" FROM pragma_index_list('{tableName}') WHERE origin = 'c'");
            var indexes = new List<string>();
            foreach (var index in indexList)
            {
                var indexColumns = await QueryAsync(connection, $"SELECT name FROM pragma_index_info('{Text(index["name"])}') ORDER BY seqno");
                indexes.Add($"{Text(index["name"])} unique={Convert.ToInt64(index["unique"], CultureInfo.InvariantCulture) == 1} ({string.Join(", ", indexColumns.Select(c => Text(c["name"])))})");
            }

            Assert.Equal(table.Indexes.OrderBy(i => i.Name).Select(i => $"{i.Name} unique={i.Unique} ({string.Join(", ", i.Columns)})"), indexes.Order());
        }
    }

    private sealed record EfColumn(string Name, Type ClrType, bool IsNullable, int? MaxLength, bool IsFixedLength);

    private sealed record EfIndex(string Name, bool Unique, IReadOnlyList<string> Columns);

    private sealed record EfTable(IReadOnlyList<EfColumn> Columns, IReadOnlyList<string> PrimaryKey, IReadOnlyList<EfIndex> Indexes);

    /// <summary>Tables, columns (with the CLR type the provider stores), keys and indexes of the EF model.</summary>
    private static Dictionary<string, EfTable> EfSchema()
    {
        using var context = new LogStoreContext(new DbContextOptionsBuilder<LogStoreContext>().UseSqlite("Data Source=:memory:").Options);
        var model = context.GetService<IDesignTimeModel>().Model.GetRelationalModel();
        var schema = new Dictionary<string, EfTable>();
        foreach (var table in model.Tables)
        {
            var columns = table.Columns.Select(c =>
            {
                var property = c.PropertyMappings.First().Property;
                var clrType = property.GetTypeMapping().Converter?.ProviderClrType ?? property.ClrType;
                return new EfColumn(c.Name, Nullable.GetUnderlyingType(clrType) ?? clrType, c.IsNullable, property.GetMaxLength(), property.IsFixedLength() ?? false);
            }).ToList();
            var primaryKey = table.PrimaryKey!.Columns.Select(c => c.Name).ToList();
            var indexes = table.Indexes.Select(i => new EfIndex(i.Name, i.IsUnique, i.Columns.Select(c => c.Name).ToList()))
                .Concat(table.UniqueConstraints.Where(u => !u.GetIsPrimaryKey()).Select(u => new EfIndex(u.Name, true, u.Columns.Select(c => c.Name).ToList())))
                .ToList();
            schema.Add(table.Name, new EfTable(columns, primaryKey, indexes));
        }

        return schema;
    }

    /// <summary>The MariaDB DATA_TYPE values that can hold a CLR type, and the exact length for strings.</summary>
    private static (string[] DataTypes, int? Length) MariaDbTypesFor(EfColumn column) => column.ClrType switch
    {
        var t when t == typeof(long) => (["bigint"], null),
        var t when t == typeof(int) => (["int"], null),
        var t when t == typeof(short) => (["smallint"], null),
        var t when t == typeof(byte) => (["tinyint"], null),
        var t when t == typeof(bool) => (["tinyint"], null),
        var t when t == typeof(double) => (["double"], null),
        var t when t == typeof(DateTime) => (["datetime"], null),
        var t when t == typeof(string) && column.MaxLength is { } max => ([column.IsFixedLength ? "char" : "varchar"], max),
        var t when t == typeof(string) => (["text", "mediumtext", "longtext"], null),
        var t => throw new InvalidOperationException($"No MariaDB mapping defined for {t} ({column.Name})."),
    };

    /// <summary>The SQLite declared type the migration uses for a CLR type.</summary>
    private static string SqliteTypeFor(EfColumn column) => column.ClrType switch
    {
        var t when t == typeof(long) || t == typeof(int) || t == typeof(short) || t == typeof(byte) || t == typeof(bool) => "INTEGER",
        var t when t == typeof(double) => "REAL",
        var t when t == typeof(DateTime) || t == typeof(string) => "TEXT",
        var t => throw new InvalidOperationException($"No SQLite mapping defined for {t} ({column.Name})."),
    };

    private static string Text(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;

    private static async Task<List<StoreRow>> QueryAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await StoreRow.ReadAllAsync(command);
    }
}
