using System.Text;
using LogPipeline.Formats;

namespace LogPipeline.Tests.Wire;

public sealed class Utf8InternerTests
{
    [Fact]
    public void TheSameBytesGiveTheSameStringAndOtherBytesTheirOwn()
    {
        var a = Utf8Interner.Get("checkout-service"u8);
        var b = Utf8Interner.Get(Encoding.UTF8.GetBytes("checkout-service"));

        Assert.Equal("checkout-service", a);
        Assert.Same(a, b);
        Assert.Equal("checkout-servicf", Utf8Interner.Get("checkout-servicf"u8));
        Assert.Equal("Zürich", Utf8Interner.Get(Encoding.UTF8.GetBytes("Zürich")));
        Assert.Same(string.Empty, Utf8Interner.Get([]));
    }

    [Fact]
    public void ManyDistinctValuesAllDecodeCorrectlyWhileTheyReplaceEachOther()
    {
        // Far more values than slots: every lookup must still return its own text, never a neighbour's.
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 20_000; i++)
            {
                var text = "host-" + i;
                Assert.Equal(text, Utf8Interner.Get(Encoding.UTF8.GetBytes(text)));
            }
        }
    }

    [Fact]
    public void ValuesLongerThanTheLimitAreDecodedEveryTime()
    {
        var text = new string('x', Utf8Interner.MaxLength + 1);
        var bytes = Encoding.UTF8.GetBytes(text);

        var first = Utf8Interner.Get(bytes);

        Assert.Equal(text, first);
        Assert.NotSame(first, Utf8Interner.Get(bytes));
    }
}
