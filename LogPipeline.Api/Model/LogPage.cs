namespace LogPipeline.Api.Model;

/// <summary>One page of log events, newest first; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record LogPage(IReadOnlyList<LogItem> Items, string? NextCursor);
