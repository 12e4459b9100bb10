namespace LogPipeline.Api.Model;

/// <summary>A list answer: <c>{ "items": [...] }</c>.</summary>
public sealed record ItemList<T>(IReadOnlyList<T> Items);
