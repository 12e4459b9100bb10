namespace LogPipeline.Data;

/// <summary>One versioned SQL script, embedded as <c>Migrations/{engine}/{version:0000}_{name}.sql</c>.</summary>
public sealed record SchemaMigration(int Version, string Name, string Sql);
