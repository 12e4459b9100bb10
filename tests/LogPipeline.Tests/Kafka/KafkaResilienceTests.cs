using Confluent.Kafka;
using LogPipeline.Kafka;
using LogPipeline.Resilience;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogPipeline.Tests.Kafka;

public sealed class KafkaResilienceTests
{
    private static readonly KafkaProduceResilienceOptions Fast = new() { MaxRetryAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };

    // A KafkaException asks librdkafka for its message: the native library must be loaded first.
    public KafkaResilienceTests() => KafkaNative.EnsureLoaded();

    [Fact]
    public async Task AProduceThatTimedOutIsRetriedUntilItSucceeds()
    {
        var attempts = 0;
        var pipeline = KafkaResilience.BuildProduce(Fast, NullLogger.Instance, "127.0.0.1:1");
        var result = await pipeline.ExecuteAsync(_ =>
        {
            if (++attempts < 3)
            {
                throw new KafkaException(ErrorCode.Local_MsgTimedOut);
            }

            return ValueTask.FromResult("delivered");
        });

        Assert.Equal("delivered", result);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task APermanentErrorFailsAtOnceAndATransientOneGivesUpAfterTheLastRetry()
    {
        var pipeline = KafkaResilience.BuildProduce(Fast, NullLogger.Instance, "127.0.0.1:1");
        var attempts = 0;
        var tooLarge = await Assert.ThrowsAsync<KafkaException>(async () => await pipeline.ExecuteAsync<int>(_ =>
        {
            attempts++;
            throw new KafkaException(ErrorCode.MsgSizeTooLarge);
        }));
        Assert.Equal(ErrorCode.MsgSizeTooLarge, tooLarge.Error.Code);
        Assert.Equal(1, attempts);

        attempts = 0;
        await Assert.ThrowsAsync<KafkaException>(async () => await pipeline.ExecuteAsync<int>(_ =>
        {
            attempts++;
            throw new KafkaException(ErrorCode.Local_AllBrokersDown);
        }));
        Assert.Equal(1 + Fast.MaxRetryAttempts, attempts);
    }

    [Fact]
    public async Task ByDefaultATransientFailureIsRetriedPastAnyCountUntilKafkaTakesTheRecord()
    {
        // The defaults but for the delays: MaxRetryAttempts 0 means no count ends the wait.
        var options = new KafkaProduceResilienceOptions { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) };
        Assert.Equal(0, new KafkaProduceResilienceOptions().MaxRetryAttempts);
        using var logs = new CapturingLoggerProvider();
        var pipeline = KafkaResilience.BuildProduce(options, logs.CreateLogger("kafka-produce"), "127.0.0.1:1");
        var attempts = 0;
        var result = await pipeline.ExecuteAsync(_ =>
        {
            if (++attempts <= 50)
            {
                throw new KafkaException(ErrorCode.Local_AllBrokersDown);
            }

            return ValueTask.FromResult("delivered");
        });

        Assert.Equal("delivered", result);
        Assert.Equal(51, attempts);
        // 50 failures within a minute: one line for the outage, one when it is over.
        Assert.Single(logs.Logs, l => l.Message.Contains("waiting until Kafka answers", StringComparison.Ordinal));
        Assert.Single(logs.Logs, l => l.Message.Contains("takes records again", StringComparison.Ordinal));
    }

    [Fact]
    public void AnOutageIsLoggedOnceThenOncePerIntervalAndAnewAfterItEnded()
    {
        var log = new OutageLog(TimeSpan.FromMinutes(1));
        var t0 = new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero);
        Assert.True(log.ShouldLog(t0, out var since, out _));
        Assert.Equal(TimeSpan.Zero, since);
        Assert.False(log.ShouldLog(t0.AddSeconds(10), out _, out _));
        Assert.False(log.ShouldLog(t0.AddSeconds(59), out _, out _));
        Assert.True(log.ShouldLog(t0.AddSeconds(61), out since, out var suppressed));
        Assert.Equal(TimeSpan.FromSeconds(61), since);
        Assert.Equal(2, suppressed);
        Assert.Equal(TimeSpan.FromSeconds(70), log.End(t0.AddSeconds(70)));
        Assert.Null(log.End(t0.AddSeconds(71)));
        Assert.True(log.ShouldLog(t0.AddSeconds(80), out since, out _)); // a new outage: logged at once
        Assert.Equal(TimeSpan.Zero, since);
        Assert.True(log.ShouldLog(t0.AddSeconds(80 + 121), out since, out _)); // a quiet gap of two intervals also starts anew
        Assert.Equal(TimeSpan.Zero, since);
    }
}
