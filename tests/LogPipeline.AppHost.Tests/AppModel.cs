using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace LogPipeline.AppHost.Tests;

/// <summary>Reads a resource's annotations the way the orchestrator would, without starting anything.</summary>
internal static class AppModel
{
    /// <summary>
    /// The environment a resource would get, as the raw values its callbacks set: strings, and
    /// <see cref="ReferenceExpression"/> or <see cref="ParameterResource"/> where a value is resolved at start.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, object>> EnvironmentAsync(IResource resource)
    {
        var variables = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), resource, variables);
        foreach (var annotation in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await annotation.Callback(context);
        }

        return variables;
    }

    public static IEnumerable<WaitAnnotation> Waits(IResource resource) => resource.Annotations.OfType<WaitAnnotation>();
}
