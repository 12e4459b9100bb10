namespace LogPipeline.Tests.Grafana;

/// <summary>The data source, the dashboard provider, the dashboards and the AppHost agree with each other.</summary>
public sealed class GrafanaProvisioningTests
{
    [Fact]
    public void TheDataSourceIsTheStoreWithEveryCredentialFromTheEnvironmentTheAppHostSets()
    {
        var file = Path.Combine(GrafanaFiles.Provisioning, "datasources", "logsdb.yaml");
        var yaml = GrafanaFiles.Yaml(file);
        Assert.Equal("1", yaml["apiVersion"].ToString());
        var source = Assert.Single((List<object>)yaml["datasources"]);
        var ds = (Dictionary<object, object>)source;
        Assert.Equal("mysql", ds["type"]);
        Assert.Equal("logpipeline-logsdb", ds["uid"]);
        Assert.StartsWith("${", (string)((Dictionary<object, object>)ds["secureJsonData"])["password"], StringComparison.Ordinal);

        // Every ${VAR} the file needs is set on the Grafana container by the AppHost.
        var appHost = File.ReadAllText(GrafanaFiles.AppHostGrafana);
        var needed = GrafanaFiles.EnvironmentReferences(File.ReadAllText(file)).ToHashSet();
        Assert.NotEmpty(needed);
        Assert.All(needed, name => Assert.Contains($".WithEnvironment(\"{name}\"", appHost, StringComparison.Ordinal));
    }

    [Fact]
    public void TheDashboardProviderReadsTheFolderTheAppHostMounts()
    {
        var yaml = GrafanaFiles.Yaml(Path.Combine(GrafanaFiles.Provisioning, "dashboards", "logpipeline.yaml"));
        var provider = (Dictionary<object, object>)Assert.Single((List<object>)yaml["providers"]);
        Assert.Equal("file", provider["type"]);
        var path = (string)((Dictionary<object, object>)provider["options"])["path"];

        var appHost = File.ReadAllText(GrafanaFiles.AppHostGrafana);
        Assert.Contains(".WithBindMount(\"../grafana/provisioning\", \"/etc/grafana/provisioning\", isReadOnly: true)", appHost, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(GrafanaFiles.RepositoryRoot, "LogPipeline.AppHost", "../grafana/provisioning")));
        Assert.Equal("/etc/grafana/provisioning/dashboards", path);
    }

    [Fact]
    public void EveryDashboardQueryUsesTheProvisionedDataSourceAndEveryPanelIsDistinct()
    {
        var yaml = GrafanaFiles.Yaml(Path.Combine(GrafanaFiles.Provisioning, "datasources", "logsdb.yaml"));
        var ds = (Dictionary<object, object>)((List<object>)yaml["datasources"])[0];
        var dashboards = GrafanaFiles.Dashboards().ToList();
        Assert.NotEmpty(dashboards);
        Assert.Equal(dashboards.Count, dashboards.Select(d => (string)d.Dashboard["uid"]!).Distinct().Count());
        foreach (var (file, dashboard) in dashboards)
        {
            var panels = dashboard["panels"]!.AsArray().Select(p => p!.AsObject()).ToList();
            Assert.Equal(panels.Count, panels.Select(p => (int)p["id"]!).Distinct().Count());
            Assert.All(panels, p => Assert.Equal((string)ds["uid"], (string)p["datasource"]!["uid"]!));
            var queries = GrafanaFiles.Queries(dashboard).ToList();
            Assert.Contains(queries, q => q.Label.StartsWith("annotation", StringComparison.Ordinal));
            Assert.All(queries, q =>
            {
                Assert.Equal((string)ds["uid"], (string)q.Datasource["uid"]!);
                Assert.Equal((string)ds["type"], (string)q.Datasource["type"]!);
                Assert.Contains(q.Format, new[] { "time_series", "table" });
            });
            _ = file;
        }
    }
}
