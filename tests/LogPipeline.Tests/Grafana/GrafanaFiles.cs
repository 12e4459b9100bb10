using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace LogPipeline.Tests.Grafana;

/// <summary>The provisioning files under grafana/provisioning, read as Grafana reads them.</summary>
internal static partial class GrafanaFiles
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Provisioning => Path.Combine(RepositoryRoot, "grafana", "provisioning");

    /// <summary>The AppHost's source that adds the Grafana container (its container infrastructure).</summary>
    public static string AppHostGrafana => Path.Combine(RepositoryRoot, "LogPipeline.AppHost", "Infrastructure", "ContainerInfrastructure.cs");

    public static Dictionary<object, object> Yaml(string path) =>
        new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(File.ReadAllText(path));

    public static IEnumerable<(string File, JsonObject Dashboard)> Dashboards() =>
        Directory.GetFiles(Path.Combine(Provisioning, "dashboards"), "*.json")
            .Select(f => (f, JsonNode.Parse(File.ReadAllText(f))!.AsObject()));

    /// <summary>Every SQL query of a dashboard: panel targets and annotations, with a label and the format Grafana asks for.</summary>
    public static IEnumerable<(string Label, string Format, string Sql, JsonNode Datasource)> Queries(JsonObject dashboard)
    {
        foreach (var panel in dashboard["panels"]!.AsArray())
        {
            foreach (var target in panel!["targets"]!.AsArray())
            {
                yield return ($"panel {panel["id"]} '{panel["title"]}'", (string)target!["format"]!, (string)target["rawSql"]!, target["datasource"]!);
            }
        }

        foreach (var annotation in dashboard["annotations"]!["list"]!.AsArray())
        {
            var target = annotation!["target"]!;
            yield return ($"annotation '{annotation["name"]}'", (string)target["format"]!, (string)target["rawSql"]!, target["datasource"]!);
        }
    }

    /// <summary>${NAME} references that Grafana expands from its environment.</summary>
    public static IEnumerable<string> EnvironmentReferences(string text) => EnvReference().Matches(text).Select(m => m.Groups[1].Value);

    /// <summary>
    /// Grafana's MySQL macros, expanded as its MySQL data source does, for a range and interval.
    /// </summary>
    public static string Expand(string sql, DateTimeOffset from, DateTimeOffset to, TimeSpan interval)
    {
        var f = from.ToUnixTimeSeconds();
        var t = to.ToUnixTimeSeconds();
        var seconds = (long)interval.TotalSeconds;
        sql = sql.Replace("$__interval", $"'{seconds}s'", StringComparison.Ordinal);
        sql = TimeGroupAlias().Replace(sql, m => $"UNIX_TIMESTAMP({m.Groups[1].Value.Trim()}) DIV {seconds} * {seconds} AS \"time\"");
        sql = TimeFilter().Replace(sql, m => $"{m.Groups[1].Value.Trim()} BETWEEN FROM_UNIXTIME({f}) AND FROM_UNIXTIME({t})");
        sql = sql.Replace("$__timeFrom()", $"FROM_UNIXTIME({f})", StringComparison.Ordinal).Replace("$__timeTo()", $"FROM_UNIXTIME({t})", StringComparison.Ordinal);
        Assert.DoesNotContain("$__", sql, StringComparison.Ordinal);
        return sql;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LogPipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("LogPipeline.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\$\{([A-Z0-9_]+)\}")]
    private static partial Regex EnvReference();

    [GeneratedRegex(@"\$__timeGroupAlias\(([^,]+),\s*'?[^)']*'?\)")]
    private static partial Regex TimeGroupAlias();

    [GeneratedRegex(@"\$__timeFilter\(([^)]+)\)")]
    private static partial Regex TimeFilter();
}
