namespace LogPipeline.Tests.Dashboard;

public sealed record PageDto(IReadOnlyList<ItemDto> Items, string? NextCursor);
