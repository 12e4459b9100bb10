using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LogPipeline.Data;

/// <summary>
/// Registration of the log store, for the processor (writer and schema owner) and the API (reader).
/// Named LogStoreExtensions, not Extensions, so it never collides with ServiceDefaults'
/// Microsoft.Extensions.Hosting.Extensions.
/// </summary>
public static class LogStoreExtensions
{
    /// <summary>
    /// Registers <see cref="StoreOptions"/> (section <c>Store</c>, connection string
    /// <c>ConnectionStrings:logsdb</c>), the <see cref="StoreConnectionFactory"/>, a
    /// <see cref="SchemaMigrator"/> and a pooled <see cref="LogStoreContext"/>.
    /// </summary>
    public static IHostApplicationBuilder AddLogStore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(static s => s.ServiceType == typeof(StoreConnectionFactory)))
        {
            return builder; // already added by another service hosted in this process
        }

        builder.Services.AddOptions<StoreOptions>()
            .Bind(builder.Configuration.GetSection(StoreOptions.SectionName))
            .PostConfigure(o =>
            {
                if (string.IsNullOrWhiteSpace(o.ConnectionString))
                {
                    o.ConnectionString = builder.Configuration.GetConnectionString(StoreOptions.ConnectionName);
                }
            });

        builder.Services.TryAddSingleton(sp => new StoreConnectionFactory(sp.GetRequiredService<IOptions<StoreOptions>>().Value));
        builder.Services.TryAddSingleton(sp => new SchemaMigrator(
            sp.GetRequiredService<IOptions<StoreOptions>>().Value.Provider,
            sp.GetRequiredService<ILogger<SchemaMigrator>>()));

        builder.Services.AddDbContextPool<LogStoreContext>((sp, options) =>
            ConfigureContext(options, sp.GetRequiredService<IOptions<StoreOptions>>().Value));
        builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>(StoreOptions.ConnectionName, HealthStatus.Unhealthy, ["ready"]);

        return builder;
    }

    /// <summary>
    /// Makes this service the schema owner: a hosted service applies pending migrations at startup,
    /// before the hosted services registered after it start. Call it in one service only (the processor).
    /// </summary>
    public static IHostApplicationBuilder AddLogStoreMigrations(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<StoreSchemaGate>();
        builder.Services.AddHostedService<SchemaMigrationService>();
        return builder;
    }

    /// <summary>
    /// Applies pending migrations to the configured store and returns an exit code: the one-shot
    /// migration step that the AppHost runs before the services start.
    /// </summary>
    public static async Task<int> MigrateStoreAsync(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(StoreOptions.SectionName).Get<StoreOptions>() ?? new StoreOptions();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            options.ConnectionString = builder.Configuration.GetConnectionString(StoreOptions.ConnectionName);
        }

        // A store that does not answer yet is waited for (the AppHost starts this beside the database).
        using var stopping = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stopping.Cancel();
        };
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopping.Cancel();
        });
        var factory = new StoreConnectionFactory(options);
        var migrator = new SchemaMigrator(options.Provider);
        try
        {
            var applied = await StoreStartupWait.RunAsync(
                async token =>
                {
                    var connection = await factory.OpenAsync(token).ConfigureAwait(false);
                    await using (connection.ConfigureAwait(false))
                    {
                        return await migrator.MigrateAsync(connection, token).ConfigureAwait(false);
                    }
                },
                (ex, since) => Console.Error.WriteLine($"Log store ({options.Provider}) does not answer (for {since.TotalSeconds:0} s); waiting for it before migrating the schema: {ex.Message}"),
                TimeProvider.System,
                stopping.Token).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"Log store schema ({options.Provider}) is at version {migrator.LatestVersion}; applied now: {applied.Count}.").ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("Stopped while waiting for the log store; the schema was not migrated.").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>
    /// For services that read or write but do not own the schema (the API): at startup, waits up to
    /// <see cref="StoreOptions.SchemaWaitTimeout"/> for the owner to bring the schema to this build's
    /// version, then fails with a message that says so.
    /// </summary>
    public static IHostApplicationBuilder AddLogStoreSchemaCheck(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<SchemaVersionCheckService>();
        return builder;
    }

    /// <summary>Sets up EF Core for the configured engine; shared by DI and by tests that build options by hand.</summary>
    public static DbContextOptionsBuilder ConfigureContext(DbContextOptionsBuilder options, StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        var connectionString = store.GetConnectionString();
        switch (store.Provider)
        {
            case StoreProvider.Sqlite:
                options.UseSqlite(connectionString).AddInterceptors(SqliteConnectionSetup.Instance);
                break;
            case StoreProvider.MariaDb:
                // An explicit server version: no round trip to detect it when the pool starts.
                options.UseMySql(connectionString, new MariaDbServerVersion(new Version(11, 4, 0)));
                break;
            default:
                throw new InvalidOperationException($"Unknown store provider {store.Provider}.");
        }

        return options;
    }
}
