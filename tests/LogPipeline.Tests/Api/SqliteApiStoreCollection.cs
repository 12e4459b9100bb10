extern alias api;

using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using LogPipeline.Api.Model;
using LogPipeline.Data;
using LogPipeline.Formats;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LogPipeline.Tests.Api;

[CollectionDefinition("api-store-sqlite")]
public sealed class SqliteApiStoreCollection : ICollectionFixture<SqliteApiStore>;
