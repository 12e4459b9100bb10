namespace LogPipeline.Tests.Dashboard;

public sealed record CountDto(long Count, bool Capped, string Source, DateTime From, DateTime To);
