namespace LogPipeline.Api.Model;

/// <summary>A message template and how often it was logged in the range.</summary>
/// <param name="FirstSeen">The first occurrence in the range.</param>
/// <param name="LastSeen">The last occurrence in the range.</param>
public sealed record TopError(
    string Service,
    string Fingerprint,
    string? Template,
    long Count,
    string? SampleMessage,
    string? Level,
    DateTime FirstSeen,
    DateTime LastSeen);
