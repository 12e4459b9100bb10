using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using LogPipeline.Ingest.Otlp;
using LogPipeline.Formats;
using LogLevel = LogPipeline.Formats.LogLevel;

namespace LogPipeline.Ingest;

/// <summary>What every record of one <see cref="ResourceLogs"/> shares.</summary>
public sealed record ResourceFields(string Service, string Host, IReadOnlyList<KeyValuePair<string, string>> Attributes);
