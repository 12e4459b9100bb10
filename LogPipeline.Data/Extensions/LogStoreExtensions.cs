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
    /// Makes this service the schema owner: <see cref="SchemaMigrationService"/> applies pending
    /// migrations at start and opens <see cref="StoreSchemaGate"/>, which the owner's workers wait for.
    /// </summary>
    /// <remarks>
    /// The schema has one owner, the processor, and one migration, this service; it runs in two places.
    /// In the AppHost it runs alone first, as the <c>migrations</c> resource (the processor project with
    /// <c>Store:MigrateOnly</c>: a plain host that stops once the schema is current), and the processor and
    /// the API wait for it to finish, as in aspire-samples' DatabaseMigrations. It also runs in every
    /// processor, because a processor started without the AppHost (Standalone, the tests' processor hosts,
    /// the benchmarks and the chaos runs) meets an empty store; behind the AppHost it finds nothing to
    /// apply. A store that does not answer at start is waited for in the background, so the host and its
    /// /health run meanwhile; that is why the processor's workers wait for the gate instead of the host
    /// waiting for the migration (the window closer needs no wait: it acts only behind committed batches).
    /// A reader started without the AppHost (the API alone) cannot migrate: it checks the version
    /// instead (<see cref="AddLogStoreSchemaCheck"/>).
    /// </remarks>
    public static IHostApplicationBuilder AddLogStoreMigrations(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<StoreSchemaGate>();
        builder.Services.AddHostedService<SchemaMigrationService>();
        return builder;
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
