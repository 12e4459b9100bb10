using System.Text.Json;
using System.Text.Json.Serialization;
using LogPipeline.Api.Apis;
using LogPipeline.Api.Infrastructure;
using LogPipeline.Data;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LogPipeline.Api;

public static class Extensions
{
    /// <summary>
    /// The query API: the log store (read side, waiting for the owner's schema) and
    /// <see cref="AddApiServices"/>.
    /// </summary>
    public static IHostApplicationBuilder AddApi(this IHostApplicationBuilder builder)
    {
        builder.AddLogStore();
        builder.AddLogStoreSchemaCheck();
        return builder.AddApiServices();
    }

    /// <summary>
    /// The query API on a store the host has registered (Standalone, where the processor beside it
    /// owns the store): ProblemDetails, the OpenAPI document <c>v1</c>, JSON options,
    /// <see cref="ApiOptions"/> (section <c>Api</c>) and its default log levels (<see cref="LoggingDefaults"/>).
    /// </summary>
    public static IHostApplicationBuilder AddApiServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Lowest priority: appsettings, the environment or the command line can still set these levels.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LoggingDefaults });

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<StoreUnavailableHandler>();
        // A store outage is logged once, then once a minute, not per request: by the handler's
        // StoreOutageLog, with EF Core's per-request failure logs at Debug and bugs logged by the interceptor.
        builder.Services.TryAddSingleton<StoreOutageLog>();
        builder.Services.TryAddSingleton<StoreCommandInterceptor>();
        builder.Services.ConfigureDbContext<LogStoreContext>(
            (services, options) => options.AddInterceptors(services.GetRequiredService<StoreCommandInterceptor>()).ConfigureWarnings(StoreCommandInterceptor.Demote),
            ServiceLifetime.Singleton);
        builder.Services.AddOpenApi("v1", o => o.AddOperationTransformer<OpenApiParameters>());
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            // The DTOs carry levels and formats as strings already; this keeps any enum readable too.
            if (!o.SerializerOptions.Converters.OfType<JsonStringEnumConverter>().Any())
            {
                o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            }
        });
        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>();
        builder.Services.Configure<KestrelServerOptions>(RequestLimitsMiddleware.RaiseKestrelLimits);
        // What Kestrel rejects alone (over those limits, not HTTP at all) gets a ProblemDetails body too.
        builder.Services.Configure<KestrelServerOptions>(KestrelRejects.AnswerAsProblems);
        builder.Services.TryAddSingleton(TimeProvider.System);

        // The dashboard's files (wwwroot, with the generated wwwroot/lib) belong to this project, not to
        // a host that references it (the standalone host, tests). From build output the SDK serves them
        // through the static web assets manifest only in Development; this does it in every environment.
        // Published output has no manifest and the files themselves, so there it changes nothing.
        if (builder is WebApplicationBuilder web)
        {
            web.WebHost.UseStaticWebAssets();
        }

        return builder;
    }

    /// <summary>
    /// Log levels the API sets unless configuration says otherwise. ASP.NET Core's request lines
    /// ("Request starting", "Request finished": <c>Microsoft.AspNetCore.Hosting.Diagnostics</c>) carry
    /// the URL with its query string, where the dashboard's live tail sends the API key (<c>?apiKey=</c>,
    /// since EventSource cannot send headers): at Warning they are not written, to the console or over
    /// OTLP. SQL commands at Information are noise: the live tail polls the store twice a second.
    /// </summary>
    private static readonly Dictionary<string, string?> LoggingDefaults = new()
    {
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Warning",
    };

    /// <summary>
    /// The API's pipeline and endpoints: errors as ProblemDetails, request limits answered as
    /// ProblemDetails (<see cref="RequestLimitsMiddleware"/>, and Kestrel's own rejects through
    /// <see cref="KestrelRejects"/>, whose marking of requests inside the app comes first), the API key check, the OpenAPI
    /// document at <c>/openapi/v1.json</c>, every <c>/api</c> route, and static files from wwwroot
    /// (<c>index.html</c> at <c>/</c>).
    /// </summary>
    public static WebApplication MapApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // First: from here on a response of the connection is the app's, not a Kestrel reject.
        app.UseMiddleware<KestrelRejects.InAppMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestLimitsMiddleware>();
        app.UseMiddleware<ApiKeyMiddleware>();
        app.UseDefaultFiles();
        app.UseStaticFiles();

        app.MapOpenApi();
        app.MapLogsApi();
        app.MapStatsApi();
        app.MapErrorsApi();
        app.MapAnomaliesApi();
        app.MapDeadLettersApi();
        app.MapServicesApi();
        return app;
    }
}
