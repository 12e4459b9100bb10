using LogPipeline.Data;
using LogPipeline.Formats;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LogPipeline.Tests.Data;

public sealed class LogStoreContextTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("logpipeline-sqlite-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task WritesAndReadsBackEveryEntityOnSqlite()
    {
        var store = new StoreOptions { ConnectionString = $"Data Source={Path.Combine(_folder, "smoke.db")}" };
        await using (var connection = await new StoreConnectionFactory(store).OpenAsync())
        {
            await new SchemaMigrator(StoreProvider.Sqlite).MigrateAsync(connection);
        }

        var options = ((DbContextOptionsBuilder<LogStoreContext>)LogStoreExtensions.ConfigureContext(new DbContextOptionsBuilder<LogStoreContext>(), store)).Options;
        var minute = new DateTime(2025, 3, 4, 10, 15, 0, DateTimeKind.Utc);
        await using (var context = new LogStoreContext(options))
        {
            context.LogEvents.AddRange(
                Event(1, minute.AddSeconds(30), LogLevel.Error, "db timeout after 5000 ms ⏱"),
                Event(2, minute.AddSeconds(10), LogLevel.Info, "GET /orders 200"),
                Event(3, minute.AddSeconds(50), LogLevel.Warn, "slow request"));
            context.VolumeMinutes.Add(new VolumeMinute { BucketStartUtc = minute, Service = "orders", Level = LogLevel.Error, Count = 1, Bytes = 120 });
            context.HttpStatusMinutes.Add(new HttpStatusMinute { BucketStartUtc = minute, Service = "orders", StatusClass = 2, Count = 1 });
            context.LatencyHistogramMinutes.Add(new LatencyHistogramMinute { BucketStartUtc = minute, Service = "orders", Bin = (short)LatencyHistogram.BinOf(12.5), Count = 1 });
            context.LatencyMinutes.Add(new LatencyMinute { BucketStartUtc = minute, Service = "orders", Count = 1, P50Ms = 12.5, P95Ms = 12.5, P99Ms = 12.5 });
            context.ErrorFingerprints.Add(new ErrorFingerprint
            {
                Service = "orders", Fingerprint = -42, Template = "db timeout after <n> ms", Count = 1,
                FirstSeenUtc = minute, LastSeenUtc = minute, SampleMessage = "db timeout after 5000 ms", Level = LogLevel.Error,
            });
            context.Anomalies.Add(new Anomaly { Service = "orders", Kind = "error-rate", StartedAtUtc = minute, Observed = 0.4, Expected = 0.01, UpdatedAtUtc = minute });
            context.PipelineMinutes.Add(new PipelineMinute { BucketStartUtc = minute, EventsIn = 3, EventsStored = 3 });
            context.ConsumerOffsets.Add(new ConsumerOffset { GroupId = "processor", Topic = "logs.raw", Partition = 0, NextOffset = 4, UpdatedAtUtc = minute });
            await context.SaveChangesAsync();
        }

        await using (var context = new LogStoreContext(options))
        {
            var events = await context.LogEvents.AsNoTracking()
                .Where(e => e.Service == "orders" && e.TimestampUtc >= minute && e.TimestampUtc < minute.AddMinutes(1))
                .OrderBy(e => e.TimestampUtc)
                .ToListAsync();
            Assert.Equal([2L, 1L, 3L], events.Select(e => e.SourceOffset));
            Assert.All(events, e => Assert.Equal(DateTimeKind.Utc, e.TimestampUtc.Kind));
            Assert.Equal(minute.AddSeconds(30), events[1].TimestampUtc);
            Assert.Equal("db timeout after 5000 ms ⏱", events[1].Message);
            Assert.Equal(LogLevel.Error, events[1].Level);
            Assert.Equal(-120, events[1].UtcOffsetMinutes);
            Assert.Equal("0123456789abcdef0123456789abcdef", events[1].TraceId);
            Assert.Equal(1, await context.LogEvents.CountAsync(e => e.Level >= LogLevel.Error));

            var anomaly = await context.Anomalies.AsNoTracking().SingleAsync(a => a.EndedAtUtc == null);
            Assert.True(anomaly.Id > 0);
            Assert.Equal(DateTimeKind.Utc, anomaly.StartedAtUtc.Kind);
            Assert.Equal(4, (await context.ConsumerOffsets.AsNoTracking().SingleAsync()).NextOffset);
            Assert.Equal(-42, (await context.ErrorFingerprints.AsNoTracking().SingleAsync()).Fingerprint);
            Assert.Equal(1, await context.VolumeMinutes.AsNoTracking().Where(v => v.BucketStartUtc == minute).SumAsync(v => v.Count));
        }

        // Redelivery of the same Kafka message is rejected by the unique source index.
        await using (var context = new LogStoreContext(options))
        {
            context.LogEvents.Add(Event(1, minute, LogLevel.Info, "duplicate"));
            await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
        }
    }

    [Fact]
    public async Task AddLogStoreRegistersAPooledSqliteContextAndTheMigrationOwner()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:logsdb"] = $"Data Source={Path.Combine(_folder, "host.db")}",
        });
        builder.AddLogStore().AddLogStoreMigrations().AddLogStoreSchemaCheck();
        using var host = builder.Build();

        await host.StartAsync();
        try
        {
            using var scope = host.Services.CreateScope();
            var context = scope.ServiceProvider.GetRequiredService<LogStoreContext>();
            Assert.Equal(0, await context.LogEvents.CountAsync());
            Assert.Equal(StoreProvider.Sqlite, host.Services.GetRequiredService<StoreConnectionFactory>().Provider);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void MariaDbWithoutAConnectionStringFailsWithAClearMessage()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new StoreOptions { Provider = StoreProvider.MariaDb }.GetConnectionString());
        Assert.Contains("ConnectionStrings:logsdb", error.Message, StringComparison.Ordinal);
    }

    private static LogEventRow Event(long offset, DateTime timestamp, LogLevel level, string message) => new()
    {
        SourceTopic = "logs.raw",
        SourcePartition = 0,
        SourceOffset = offset,
        TimestampUtc = timestamp,
        UtcOffsetMinutes = -120,
        ReceivedAtUtc = timestamp.AddMilliseconds(5),
        Service = "orders",
        Host = "orders-1",
        Level = level,
        Message = message,
        Format = 0,
        HttpMethod = "GET",
        HttpPath = "/orders",
        HttpStatus = 200,
        HttpDurationMs = 12.5,
        HttpBytes = 512,
        TraceId = "0123456789abcdef0123456789abcdef",
        SpanId = "0123456789abcdef",
        Fingerprint = level >= LogLevel.Warn ? -42 : null,
        AttributesJson = """{"region":"eu"}""",
    };
}
