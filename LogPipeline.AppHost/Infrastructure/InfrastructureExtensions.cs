using Microsoft.Extensions.Configuration;
using System.Diagnostics;

namespace LogPipeline.AppHost;

public static class InfrastructureExtensions
{
    /// <summary>
    /// Chooses and adds the infrastructure: containers where this build has the hosting packages and
    /// a container runtime answers (or when publishing), local processes otherwise; when publishing
    /// without the hosting packages, the Kafka and MariaDB that the deployment is given.
    /// <c>Infrastructure:Kind</c> overrides.
    /// </summary>
    public static PipelineInfrastructure AddPipelineInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var options = ReadOptions(builder.Configuration);
        var kind = options.Kind switch
        {
            InfrastructureKind.Auto when !ContainerInfrastructureBuilt => builder.ExecutionContext.IsPublishMode ? InfrastructureKind.Existing : InfrastructureKind.Local,
            InfrastructureKind.Auto => builder.ExecutionContext.IsPublishMode || ContainerRuntimeAnswers() ? InfrastructureKind.Containers : InfrastructureKind.Local,
            var chosen => chosen,
        };

        if (kind == InfrastructureKind.Containers)
        {
#if CONTAINER_HOSTING
            return ContainerInfrastructure.Add(builder);
#else
            throw new InfrastructureException(
                "Infrastructure:Kind=Containers needs Aspire.Hosting.Kafka and Aspire.Hosting.MySql, which this build's package source " +
                "did not serve: build where nuget.org is reachable (delete .container-hosting to detect again), or use Infrastructure:Kind=Local.");
#endif
        }

        if (kind == InfrastructureKind.Existing)
        {
            return ExistingInfrastructure.Add(builder);
        }

        if (builder.ExecutionContext.IsPublishMode)
        {
            throw new InfrastructureException(
                "Infrastructure:Kind=Local runs processes of this machine and cannot be published: publish with Kind=Containers " +
                "(needs Aspire.Hosting.Kafka and Aspire.Hosting.MySql) or Kind=Existing (the Kafka and MariaDB you give the deployment).");
        }

        return LocalInfrastructure.Add(builder, options);
    }

    private static InfrastructureOptions ReadOptions(IConfiguration configuration)
    {
        try
        {
            return configuration.GetSection(InfrastructureOptions.SectionName).Get<InfrastructureOptions>() ?? new();
        }
        catch (InvalidOperationException ex)
        {
            // The binder says which key and value it could not convert, in its inner exception.
            throw new InfrastructureException($"A setting under {InfrastructureOptions.SectionName} is not valid: {ex.InnerException?.Message ?? ex.Message} " +
                "(Kind: Auto, Local, Containers or Existing; Store: Auto, MariaDb or Sqlite; ports are numbers).");
        }
    }

#if CONTAINER_HOSTING
    private static readonly bool ContainerInfrastructureBuilt = true;
#else
    private static readonly bool ContainerInfrastructureBuilt = false;
#endif

    /// <summary>True when <c>docker info</c> (or the runtime Aspire is told to use) answers within a few seconds.</summary>
    private static bool ContainerRuntimeAnswers()
    {
        var runtime = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") is { Length: > 0 } named ? named : "docker";
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null)
            {
                return false;
            }

            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no such program
        }
    }
}
