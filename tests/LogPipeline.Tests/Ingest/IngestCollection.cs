namespace LogPipeline.Tests.Ingest;

[CollectionDefinition(nameof(IngestFixture))]
public sealed class IngestCollection : ICollectionFixture<IngestFixture>;
