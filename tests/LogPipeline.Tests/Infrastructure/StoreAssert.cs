using System.Security.Cryptography;
using LogPipeline.Data;

namespace LogPipeline.Tests.Infrastructure;

/// <summary>What a store the processor filled from a <see cref="PipelineScenario"/> must hold, asserted.</summary>
internal static class StoreAssert
{
    /// <summary>Raw rows exact and unique; every aggregate equal to the scenario's own computation; each poison record dead-lettered once.</summary>
    public static async Task MatchesAsync(StoreQueries store, PipelineScenario scenario)
    {
        Assert.Equal(scenario.Valid.Count, await store.RawCountAsync());
        Assert.Equal(scenario.Valid.Count, await store.ScalarAsync(
            "SELECT COUNT(*) FROM (SELECT DISTINCT source_topic, source_partition, source_offset FROM log_events) d"));
        Assert.Equal(0, await store.ScalarAsync("SELECT COUNT(*) FROM log_events WHERE is_late <> 0"));
        Assert.Equal(Sorted(scenario.ExpectedVolume()), Sorted(await store.VolumeAsync()));
        Assert.Equal(Sorted(scenario.ExpectedHttpStatus()), Sorted(await store.HttpStatusAsync()));
        Assert.Equal(Sorted(scenario.ExpectedLatencyHistogram()), Sorted(await store.LatencyHistogramAsync()));
        Assert.Equal(Sorted(scenario.ExpectedFingerprintedByService()), Sorted(await store.FingerprintCountsByServiceAsync()));
        Assert.Equal(scenario.Valid.Count + scenario.PoisonRecords.Count, await store.ScalarAsync("SELECT SUM(events_in) FROM pipeline_minute"));
        Assert.Equal(scenario.PoisonRecords.Count, await store.ScalarAsync("SELECT SUM(dead_letters) FROM pipeline_minute"));

        // Each poison record is one dead_letters row (stored in the batch that counted it above, so no
        // wait is needed), whatever crashed or was replayed: as many rows as distinct source positions,
        // each with its reason and the hash of its whole value.
        Assert.Equal(scenario.PoisonRecords.Count, await store.ScalarAsync("SELECT COUNT(*) FROM dead_letters"));
        Assert.Equal(scenario.PoisonRecords.Count, await store.ScalarAsync(
            "SELECT COUNT(*) FROM (SELECT DISTINCT source_topic, source_partition, source_offset FROM dead_letters) d"));
        Assert.Equal(
            scenario.PoisonRecords.Select(p => p.Reason + ":" + Convert.ToHexStringLower(SHA256.HashData(p.Value))).Order(StringComparer.Ordinal),
            (await store.RowsAsync("SELECT reason, value_sha256 FROM dead_letters")).Select(r => r.Text("reason") + ":" + r.Text("value_sha256")).Order(StringComparer.Ordinal));
        var messages = (await store.RowsAsync("SELECT message FROM log_events")).Select(r => r.Text("message")).ToHashSet();
        Assert.All(scenario.Valid, s => Assert.Contains(s.Expected.Message.Length > StoreLimits.TextLength ? s.Expected.Message[..StoreLimits.TextLength] : s.Expected.Message, messages));
    }

    private static List<string> Sorted<TKey, TValue>(Dictionary<TKey, TValue> map) where TKey : notnull =>
        map.Select(p => p.Key + "=" + p.Value).Order(StringComparer.Ordinal).ToList();
}
