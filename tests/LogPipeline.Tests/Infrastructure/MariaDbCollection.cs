namespace LogPipeline.Tests.Infrastructure;

/// <summary>One MariaDB server shared by every test class in the <c>mariadb</c> collection.</summary>
[CollectionDefinition("mariadb")]
public sealed class MariaDbCollection : ICollectionFixture<MariaDbFixture>;
