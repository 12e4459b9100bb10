namespace LogPipeline.Api.Model;

/// <summary>A service that has logged: the start of the last minute it logged in and its events of all time.</summary>
public sealed record ServiceItem(string Name, DateTime LastSeen, long Events);
