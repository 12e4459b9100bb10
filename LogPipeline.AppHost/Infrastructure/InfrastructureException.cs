namespace LogPipeline.AppHost;

/// <summary>A setting or a machine fact that stops the AppHost before it starts; the message is the one sentence the user sees.</summary>
public sealed class InfrastructureException(string message) : Exception(message);
