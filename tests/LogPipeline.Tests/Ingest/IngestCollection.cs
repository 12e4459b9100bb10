using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Confluent.Kafka;
using Google.Protobuf;
using LogPipeline.Ingest.Otlp;
using LogPipeline.Kafka;
using LogPipeline.Kafka.Embedded;

namespace LogPipeline.Tests.Ingest;

[CollectionDefinition(nameof(IngestFixture))]
public sealed class IngestCollection : ICollectionFixture<IngestFixture>;
