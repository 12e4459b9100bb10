using Confluent.Kafka;
using LogPipeline.Kafka;
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
        var pipeline = KafkaResilience.BuildProduce(Fast, NullLogger.Instance);
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
        var pipeline = KafkaResilience.BuildProduce(Fast, NullLogger.Instance);
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
}
