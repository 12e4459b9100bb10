using System.Text.Json;
using LogPipeline.Formats;
using LogPipeline.Processor.Pipeline;

namespace LogPipeline.Tests.Processor;

public sealed class BatchAggregatorTests
{
    [Fact]
    public void AttributesAreStoredAsTheJsonTheSerializerWritesForTheSameMap()
    {
        // Quotes, backslashes, control characters, HTML-sensitive and non-ASCII text: the writer the
        // aggregator reuses must escape exactly as JsonSerializer does, which the API reads back.
        var first = new Dictionary<string, string> { ["user_agent"] = "Mozilla/5.0 \"quoted\" \\ <b>&</b>", ["city"] = "Zürich 東京", ["tab"] = "a\tb\n" };
        var second = new Dictionary<string, string> { ["pid"] = "42" };
        var aggregator = new BatchAggregator("g", TimeSpan.FromMinutes(2));
        aggregator.Assign("logs.raw", 0, storedNextOffset: -1, watermarkUtc: null);
        aggregator.Add(Processed(0, first));
        aggregator.Add(Processed(1, second));
        aggregator.Add(Processed(2, null));

        var rows = aggregator.Take().Store.Events;

        Assert.Equal(JsonSerializer.Serialize<IReadOnlyDictionary<string, string>>(first), rows[0].AttributesJson);
        Assert.Equal("""{"pid":"42"}""", rows[1].AttributesJson); // nothing left over from the longer one before
        Assert.Null(rows[2].AttributesJson);
        Assert.Equal(first, JsonSerializer.Deserialize<Dictionary<string, string>>(rows[0].AttributesJson!));
    }

    private static ProcessedRecord Processed(long offset, Dictionary<string, string>? attributes)
    {
        var at = new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
        var record = new KafkaRecord("logs.raw", 0, offset, "api", "{}"u8.ToArray(), "h", null, at);
        var e = new LogEvent { Timestamp = at, Service = "api", Host = "h", Level = LogLevel.Info, Message = "m", Attributes = attributes };
        return new ProcessedRecord(record, e, LogFormat.Json, null, null, null);
    }
}
