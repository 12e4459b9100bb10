using System.Text.Json.Nodes;
using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace LogPipeline.AppHost.Tests;

/// <summary>
/// The AppHost's application model as its Program builds it, inspected without starting anything:
/// which resources there are, what each service is told, and what waits for what.
/// </summary>
public sealed class ApplicationModelTests
{
    [Theory]
    [InlineData("MariaDb")]
    [InlineData("Sqlite")]
    public async Task LocalInfrastructureWiresEveryServiceToKafkaAndTheStoreInOrder(string store)
    {
        using var folder = new TempFolder();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LogPipeline_AppHost>(AppHostArguments.Local(store, folder.Path));
        var mariaDb = store == "MariaDb";

        // Aspire adds a hidden "<project>-rebuilder" beside each project; those are its own, not the pipeline's.
        var names = builder.Resources.Where(r => r is ProjectResource or ExecutableResource or ParameterResource && r.GetType().Name != "ProjectRebuilderResource")
            .Select(r => r.Name).Order().ToArray();
        string[] expected = mariaDb
            ? ["api", "api-key", "ingest", "kafka", "mariadb", "mariadb-password", "migrations", "processor", "producer"]
            : ["api", "api-key", "ingest", "kafka", "migrations", "processor", "producer"];
        Assert.Equal(expected, names);

        var kafka = Project(builder, "kafka");
        var migrations = Project(builder, "migrations");
        var producer = Project(builder, "producer");
        var processor = Project(builder, "processor");
        var api = Project(builder, "api");
        Assert.Contains("--Store:MigrateOnly=true", migrations.Annotations.OfType<CommandLineArgsCallbackAnnotation>().SelectMany(Arguments));

        var kafkaPort = kafka.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "tcp").Port;
        var kafkaEnvironment = await AppModel.EnvironmentAsync(kafka);
        Assert.NotNull(kafkaPort);
        Assert.Equal($"{kafkaPort}", kafkaEnvironment["Kafka__Embedded__Port"]);

        // Kafka users get its address and wait until it is healthy.
        foreach (var service in new[] { producer, processor, Project(builder, "ingest") })
        {
            var environment = await AppModel.EnvironmentAsync(service);
            Assert.Equal($"127.0.0.1:{kafkaPort}", environment["ConnectionStrings__kafka"]);
            Assert.Contains(AppModel.Waits(service), w => w.Resource == kafka && w.WaitType == WaitType.WaitUntilHealthy);
        }

        Assert.DoesNotContain(AppModel.Waits(migrations), w => w.Resource == kafka);
        Assert.False((await AppModel.EnvironmentAsync(migrations)).ContainsKey("ConnectionStrings__kafka"));
        Assert.False((await AppModel.EnvironmentAsync(api)).ContainsKey("ConnectionStrings__kafka"));

        // Store users get the store and its engine; the processor and the API start after the migrations finished.
        var password = builder.Resources.OfType<ParameterResource>().SingleOrDefault(p => p.Name == "mariadb-password");
        foreach (var service in new[] { migrations, processor, api })
        {
            var environment = await AppModel.EnvironmentAsync(service);
            Assert.Equal(store, environment["Store__Provider"]);
            var connection = environment["ConnectionStrings__logsdb"];
            if (mariaDb)
            {
                var expression = Assert.IsType<ReferenceExpression>(connection);
                Assert.StartsWith("Server=127.0.0.1;Port=", expression.Format, StringComparison.Ordinal);
                Assert.EndsWith(";User ID=root;Password={0};Database=logsdb", expression.Format, StringComparison.Ordinal);
                Assert.Same(password, Assert.Single(expression.ValueProviders));
                Assert.DoesNotContain(AppHostArguments.MariaDbPassword, expression.Format, StringComparison.Ordinal);
                var server = builder.Resources.OfType<ExecutableResource>().Single(r => r.Name == "mariadb");
                Assert.Contains(AppModel.Waits(service), w => w.Resource == server && w.WaitType == WaitType.WaitUntilHealthy);
            }
            else
            {
                var expression = Assert.IsType<ReferenceExpression>(connection);
                Assert.Equal($"Data Source={Path.Combine(folder.Path, "logs.db")}", expression.Format);
                Assert.Empty(expression.ValueProviders);
                Assert.DoesNotContain(AppModel.Waits(service), w => w.Resource is ExecutableResource);
            }
        }

        foreach (var service in new[] { processor, api })
        {
            Assert.Contains(AppModel.Waits(service), w => w.Resource == migrations && w.WaitType == WaitType.WaitForCompletion);
        }

        Assert.DoesNotContain(AppModel.Waits(producer), w => w.Resource == migrations);
        Assert.False((await AppModel.EnvironmentAsync(producer)).ContainsKey("ConnectionStrings__logsdb"));

        // Secrets are secret parameters handed over as references, never literal values.
        var apiKey = Assert.Single(builder.Resources.OfType<ParameterResource>(), p => p.Name == "api-key");
        Assert.True(apiKey.Secret);
        Assert.Same(apiKey, (await AppModel.EnvironmentAsync(api))["Api__Key"]);
        if (mariaDb)
        {
            Assert.True(password!.Secret);
        }

        foreach (var service in builder.Resources.Where(r => r.GetType() == typeof(ProjectResource)))
        {
            foreach (var (name, value) in await AppModel.EnvironmentAsync(service))
            {
                Assert.False(value is string text && (text.Contains(AppHostArguments.ApiKey, StringComparison.Ordinal) || text.Contains(AppHostArguments.MariaDbPassword, StringComparison.Ordinal)),
                    $"{service.Name} gets a secret as a literal in {name}");
            }
        }

        // Every service reports health, so the dashboard and WaitFor can tell when it is ready.
        foreach (var service in new[] { kafka, producer, processor, api, Project(builder, "ingest") })
        {
            Assert.Single(service.Annotations.OfType<HealthCheckAnnotation>());
        }

        // The local run's services get the larger gen0 budget (a VM without reported cache sizes).
        foreach (var service in new[] { producer, processor, api, Project(builder, "ingest") })
        {
            Assert.Equal(PipelineServices.Gen0Budget, (await AppModel.EnvironmentAsync(service))[PipelineServices.Gen0BudgetVariable]);
        }
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("--Pipeline:OwnLogs=false", false)]
    public async Task TheIngestDeclaresItsOtlpEndpointsAndTheServicesOwnLogsGoThroughIt(string? argument, bool ownLogs)
    {
        using var folder = new TempFolder();
        string[] more = argument is null ? [] : [argument];
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LogPipeline_AppHost>(AppHostArguments.Local("Sqlite", folder.Path, more));
        var ingest = Project(builder, "ingest");

        var endpoints = ingest.Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);
        Assert.Equal(["http", "otlp-grpc", "otlp-http"], endpoints.Keys.Order());
        Assert.Equal("http2", endpoints["otlp-grpc"].Transport);
        var ingestEnvironment = await AppModel.EnvironmentAsync(ingest);
        Assert.True(ingestEnvironment.ContainsKey("Ingest__GrpcPort"), "the ingest is not told its gRPC port");
        Assert.True(ingestEnvironment.ContainsKey("Ingest__HttpPort"), "the ingest is not told its HTTP port");
        Assert.False(ingestEnvironment.ContainsKey("OwnLogs__Endpoint"), "the ingest's own logs would come back to it");

        foreach (var name in new[] { "producer", "processor", "api" })
        {
            var environment = await AppModel.EnvironmentAsync(Project(builder, name));
            if (ownLogs)
            {
                var endpoint = Assert.IsType<EndpointReference>(environment["OwnLogs__Endpoint"]);
                Assert.Same(ingest, endpoint.Resource);
                Assert.Equal("otlp-grpc", endpoint.EndpointName);
            }
            else
            {
                Assert.False(environment.ContainsKey("OwnLogs__Endpoint"));
            }
        }
    }

    [Fact]
    public void ContainersKindInThisBuildStopsWithOneSentenceNamingTheMissingPackages()
    {
        using var folder = new TempFolder();
        var builder = BareBuilder(["--Infrastructure:Kind=Containers", $"--Infrastructure:DataPath={folder.Path}"]);

        var ex = Assert.Throws<InfrastructureException>(() => builder.AddPipelineInfrastructure());

        Assert.StartsWith("Infrastructure:Kind=Containers needs Aspire.Hosting.Kafka and Aspire.Hosting.MySql", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Infrastructure:Kind=Local", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.DoesNotContain(builder.Resources, r => r is ProjectResource or ExecutableResource);
    }

    [Fact]
    public void ABusyMariaDbPortStopsWithASentenceNamingTheSettingAndThePort()
    {
        using var folder = new TempFolder();
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;
        var builder = BareBuilder(AppHostArguments.Local("MariaDb", folder.Path, $"--Infrastructure:MariaDbPort={port}"));

        var ex = Assert.Throws<InfrastructureException>(() => builder.AddPipelineInfrastructure());

        Assert.StartsWith($"Infrastructure:MariaDbPort {port} is in use", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("choose a free port, or 0 for a free one.", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(builder.Resources, r => r.Name == "mariadb");
    }

    [Fact]
    public async Task TheBuiltAppHostExitsWithCode2AndOneLineWhenAskedForContainers()
    {
        using var folder = new TempFolder();
        var (exitCode, output, error) = await AppHostProcess.RunToEndAsync(["--Infrastructure:Kind=Containers", $"--Infrastructure:DataPath={folder.Path}"]);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("Infrastructure:Kind=Containers needs Aspire.Hosting.Kafka and Aspire.Hosting.MySql", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Distributed application started", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishingWritesTheManifestAzdReadsWithEveryServiceSecretParametersAndTheApisExternalEndpoint()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "aspire-manifest.json");
        var (exitCode, output, error) = await AppHostProcess.RunToEndAsync(["--publisher", "manifest", "--output-path", path]);

        Assert.True(exitCode == 0, $"exit code {exitCode}: {error}{output}");
        var resources = JsonNode.Parse(await File.ReadAllTextAsync(path))!["resources"]!.AsObject();

        // Without the container hosting packages the deployment is given its Kafka and MariaDB (Kind=Existing).
        Assert.Equal(["api", "api-key", "ingest", "kafka", "logsdb", "migrations", "processor", "producer"], resources.Select(r => r.Key).Order());
        foreach (var service in new[] { "migrations", "producer", "processor", "api", "ingest" })
        {
            Assert.Equal("project.v0", (string?)resources[service]!["type"]);
        }

        foreach (var secret in new[] { "kafka", "logsdb", "api-key" })
        {
            Assert.Equal("parameter.v0", (string?)resources[secret]!["type"]);
            Assert.True((bool?)resources[secret]!["inputs"]!["value"]!["secret"], $"{secret} is not a secret input");
        }

        Assert.Equal("{kafka.connectionString}", (string?)resources["processor"]!["env"]!["ConnectionStrings__kafka"]);
        Assert.Equal("{kafka.connectionString}", (string?)resources["producer"]!["env"]!["ConnectionStrings__kafka"]);
        Assert.Equal("{kafka.connectionString}", (string?)resources["ingest"]!["env"]!["ConnectionStrings__kafka"]);
        Assert.Equal("*", (string?)resources["ingest"]!["env"]!["Ingest__BindAddress"]);
        Assert.Equal("http2", (string?)resources["ingest"]!["bindings"]!["otlp-grpc"]!["transport"]);
        Assert.NotNull(resources["ingest"]!["bindings"]!["otlp-http"]);
        // Own logs are for the local run only.
        Assert.All(new[] { "producer", "processor", "api" }, s => Assert.Null(resources[s]!["env"]!["OwnLogs__Endpoint"]));
        // So is the gen0 budget: deployed hosts report their caches.
        Assert.All(new[] { "producer", "processor", "api", "ingest" }, s => Assert.Null(resources[s]!["env"]![PipelineServices.Gen0BudgetVariable]));
        foreach (var service in new[] { "migrations", "processor", "api" })
        {
            Assert.Equal("{logsdb.connectionString}", (string?)resources[service]!["env"]!["ConnectionStrings__logsdb"]);
            Assert.Equal("MariaDb", (string?)resources[service]!["env"]!["Store__Provider"]);
        }

        Assert.Equal("{api-key.value}", (string?)resources["api"]!["env"]!["Api__Key"]);
        Assert.True((bool?)resources["api"]!["bindings"]!["http"]!["external"], "the API has no external endpoint");
        Assert.All(new[] { "producer", "processor" }, s => Assert.Null(resources[s]!["bindings"]!["http"]!["external"]));
    }

    [Fact]
    public async Task PublishingTheLocalInfrastructureStopsWithOneSentenceAndWritesNoManifest()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "aspire-manifest.json");
        var (exitCode, _, error) = await AppHostProcess.RunToEndAsync(["--publisher", "manifest", "--output-path", path, "--Infrastructure:Kind=Local"]);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("Infrastructure:Kind=Local runs processes of this machine and cannot be published", line, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    /// <summary>A builder for the AppHost assembly with nothing added yet, to call its extension methods on.</summary>
    private static IDistributedApplicationBuilder BareBuilder(string[] arguments) =>
        DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = arguments,
            AssemblyName = typeof(InfrastructureException).Assembly.GetName().Name,
            DisableDashboard = true,
        });

    private static ProjectResource Project(IDistributedApplicationTestingBuilder builder, string name) =>
        Assert.Single(builder.Resources.OfType<ProjectResource>(), r => r.Name == name);

    private static IEnumerable<string> Arguments(CommandLineArgsCallbackAnnotation annotation)
    {
        var arguments = new List<object>();
        annotation.Callback(new CommandLineArgsCallbackContext(arguments)).GetAwaiter().GetResult();
        return arguments.Select(a => a.ToString() ?? "");
    }
}
