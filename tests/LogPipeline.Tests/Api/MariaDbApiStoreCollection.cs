extern alias api;
namespace LogPipeline.Tests.Api;

[CollectionDefinition("api-store-mariadb")]
public sealed class MariaDbApiStoreCollection : ICollectionFixture<MariaDbApiStore>;
