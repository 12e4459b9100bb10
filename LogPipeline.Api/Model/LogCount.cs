namespace LogPipeline.Api.Model;

/// <summary>How many log events in [<see cref="From"/>, <see cref="To"/>) match a search's filters.</summary>
/// <param name="Count">The matches; with <see cref="Capped"/>, the cap (there are more).</param>
/// <param name="Capped">True when counting stopped at <c>Api:CountCap</c>.</param>
/// <param name="Source">
/// <c>aggregates</c>: whole minutes from the per-minute aggregates (only a service and a level were given),
/// which leave late events out, so this counts on-time events; <c>events</c>: the matching rows, counted.
/// </param>
/// <param name="From">The range's start (UTC), the default filled in.</param>
/// <param name="To">The range's end (UTC, exclusive).</param>
public sealed record LogCount(long Count, bool Capped, string Source, DateTime From, DateTime To);
