namespace LogPipeline.AppHost.Tests;

/// <summary>The AppHost's command line for a test: local infrastructure in a temp data folder, known secrets.</summary>
internal static class AppHostArguments
{
    public const string ApiKey = "apphost-test-api-key";
    public const string MariaDbPassword = "apphost-test-mariadb-password";

    public static string[] Local(string store, string dataPath, params string[] more) =>
    [
        "--Infrastructure:Kind=Local",
        $"--Infrastructure:Store={store}",
        $"--Infrastructure:DataPath={dataPath}",
        $"--Parameters:api-key={ApiKey}",
        $"--Parameters:mariadb-password={MariaDbPassword}",
        .. more,
    ];
}
