extern alias api;
namespace LogPipeline.Tests.Api;

[CollectionDefinition("api-store-sqlite")]
public sealed class SqliteApiStoreCollection : ICollectionFixture<SqliteApiStore>;
