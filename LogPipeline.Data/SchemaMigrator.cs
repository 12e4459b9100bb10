using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogPipeline.Data;

/// <summary>
/// Applies the embedded SQL migrations of one engine, in version order, recording each in
/// <c>schema_migrations</c>. Safe when several processes race: SQLite takes the write lock up front
/// (<c>BEGIN IMMEDIATE</c>) and applies everything in that one transaction; MariaDB, whose DDL commits
/// on its own, serialises migrators on a named lock (<c>GET_LOCK</c>) and records a version after
/// its last statement, so a migration cut short is re-run (the scripts are written to be repeatable).
/// Works on any <see cref="DbConnection"/>.
/// </summary>
public sealed partial class SchemaMigrator
{
    /// <summary>The MariaDB named lock (<c>GET_LOCK</c>) that serialises migrators.</summary>
    public const string LockName = "logpipeline_schema";
    private const int LockTimeoutSeconds = 30;

    private readonly StoreProvider _provider;
    private readonly ILogger _logger;

    public SchemaMigrator(StoreProvider provider, ILogger<SchemaMigrator>? logger = null)
    {
        _provider = provider;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        Migrations = Load(provider);
    }

    /// <summary>All migrations of this engine, in version order.</summary>
    public IReadOnlyList<SchemaMigration> Migrations { get; }

    /// <summary>The version the code expects the schema to be at.</summary>
    public int LatestVersion => Migrations[^1].Version;

    /// <summary>Reads the embedded migrations of an engine.</summary>
    public static IReadOnlyList<SchemaMigration> Load(StoreProvider provider)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"LogPipeline.Data.Migrations.{FolderOf(provider)}.";
        var migrations = new List<SchemaMigration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(prefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var fileName = resource[prefix.Length..^".sql".Length];
            var underscore = fileName.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || !int.TryParse(fileName.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Migration resource '{resource}' is not named NNNN_name.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            migrations.Add(new SchemaMigration(version, fileName[(underscore + 1)..], reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        if (migrations.Count == 0)
        {
            throw new InvalidOperationException($"No embedded migrations for {provider}.");
        }

        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version == migrations[i - 1].Version)
            {
                throw new InvalidOperationException($"Two {provider} migrations have version {migrations[i].Version}.");
            }
        }

        return migrations;
    }

    /// <summary>
    /// Applies the migrations the database has not seen yet and returns their versions (empty when
    /// it was up to date).
    /// </summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(DbConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return _provider == StoreProvider.Sqlite
            ? await MigrateSqliteAsync(connection, cancellationToken).ConfigureAwait(false)
            : await MigrateMariaDbAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The highest applied version, or 0 when the database has no schema yet.</summary>
    public async Task<int> GetCurrentVersionAsync(DbConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var exists = _provider == StoreProvider.Sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            : "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'schema_migrations'";
        if (Convert.ToInt64(await ScalarAsync(connection, null, exists, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        var max = await ScalarAsync(connection, null, "SELECT MAX(version) FROM schema_migrations", cancellationToken).ConfigureAwait(false);
        return max is null or DBNull ? 0 : Convert.ToInt32(max, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// For services that do not own the schema: throws when the database is behind the code.
    /// </summary>
    /// <exception cref="InvalidOperationException">The schema is older than <see cref="LatestVersion"/>.</exception>
    public async Task EnsureCurrentAsync(DbConnection connection, CancellationToken cancellationToken = default)
    {
        var current = await GetCurrentVersionAsync(connection, cancellationToken).ConfigureAwait(false);
        if (current < LatestVersion)
        {
            throw new InvalidOperationException(
                $"The {_provider} log store schema is at version {current} but this build needs {LatestVersion}. " +
                "The schema owner (the service that calls AddLogStoreMigrations, the processor) applies migrations at startup: start it first.");
        }
    }

    private async Task<IReadOnlyList<int>> MigrateSqliteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // Microsoft.Data.Sqlite begins a non-deferred transaction as BEGIN IMMEDIATE: the write lock
        // is taken before the applied versions are read, so a racing migrator waits, then sees them.
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            await ExecuteAsync(connection, transaction,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at_utc TEXT NOT NULL)",
                cancellationToken).ConfigureAwait(false);
            var applied = new List<int>();
            foreach (var migration in await PendingAsync(connection, transaction, cancellationToken).ConfigureAwait(false))
            {
                LogApplying(_logger, _provider, migration.Version, migration.Name);
                await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
                await RecordAsync(connection, transaction, migration, cancellationToken).ConfigureAwait(false);
                applied.Add(migration.Version);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return applied;
        }
    }

    private async Task<IReadOnlyList<int>> MigrateMariaDbAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var locked = await ScalarAsync(connection, null, $"SELECT GET_LOCK('{LockName}', {LockTimeoutSeconds})", cancellationToken).ConfigureAwait(false);
        if (locked is null or DBNull || Convert.ToInt64(locked, CultureInfo.InvariantCulture) != 1)
        {
            throw new SchemaLockTimeoutException($"Another process held the schema lock '{LockName}' for more than {LockTimeoutSeconds} s.");
        }

        try
        {
            await ExecuteAsync(connection, null,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at_utc DATETIME(6) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
                cancellationToken).ConfigureAwait(false);
            var applied = new List<int>();
            foreach (var migration in await PendingAsync(connection, null, cancellationToken).ConfigureAwait(false))
            {
                LogApplying(_logger, _provider, migration.Version, migration.Name);
                foreach (var statement in SplitStatements(migration.Sql))
                {
                    await ExecuteAsync(connection, null, statement, cancellationToken).ConfigureAwait(false);
                }

                await RecordAsync(connection, null, migration, cancellationToken).ConfigureAwait(false);
                applied.Add(migration.Version);
            }

            return applied;
        }
        finally
        {
            // Not cancellable: a lock left behind would hold the next migrator for its full timeout.
            await ScalarAsync(connection, null, $"SELECT RELEASE_LOCK('{LockName}')", CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Splits a script into statements: a statement ends with a line whose last character is ';'.
    /// Lines that start with <c>--</c> are dropped. The scripts keep to that shape, so no SQL parser
    /// is needed.
    /// </summary>
    public static IReadOnlyList<string> SplitStatements(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var statements = new List<string>();
        var current = new StringBuilder();
        foreach (var rawLine in sql.Split('\n'))
        {
            var line = rawLine.TrimEnd();
            if (line.TrimStart().StartsWith("--", StringComparison.Ordinal) || line.Length == 0)
            {
                continue;
            }

            if (line.EndsWith(';'))
            {
                current.Append(line.AsSpan(0, line.Length - 1));
                statements.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(line).Append('\n');
            }
        }

        if (current.ToString().Trim().Length > 0)
        {
            statements.Add(current.ToString());
        }

        return statements;
    }

    private async Task<List<SchemaMigration>> PendingAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var done = new HashSet<int>();
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT version FROM schema_migrations";
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    done.Add(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture));
                }
            }
        }

        return Migrations.Where(m => !done.Contains(m.Version)).ToList();
    }

    private static async Task RecordAsync(DbConnection connection, DbTransaction? transaction, SchemaMigration migration, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO schema_migrations (version, name, applied_at_utc) VALUES (@version, @name, @applied)";
            AddParameter(command, "@version", migration.Version);
            AddParameter(command, "@name", migration.Name);
            AddParameter(command, "@applied", DateTime.UtcNow);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
            command.CommandText = sql;

            // No timeout: a migration that backfills a table from a large store runs for minutes.
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
            command.CommandText = sql;
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static string FolderOf(StoreProvider provider) => provider switch
    {
        StoreProvider.Sqlite => "sqlite",
        StoreProvider.MariaDb => "mariadb",
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown store provider."),
    };

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Applying {Provider} schema migration {Version} ({Name})")]
    private static partial void LogApplying(ILogger logger, StoreProvider provider, int version, string name);
}
