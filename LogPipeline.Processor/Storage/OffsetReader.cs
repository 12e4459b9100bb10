using System.Globalization;
using LogPipeline.Data;
using static LogPipeline.Processor.Storage.StoreValues;

namespace LogPipeline.Processor.Storage;

/// <summary>Reads the progress stored for partitions as they are assigned: where consumption resumes, and each partition's watermark.</summary>
public sealed class OffsetReader(ProcessorStore store)
{
    /// <summary>The stored progress of the given partitions; partitions with nothing stored are absent.</summary>
    public async Task<IReadOnlyDictionary<(string Topic, int Partition), StoredOffset>> ReadOffsetsAsync(
        string groupId, string topic, IEnumerable<int> partitions, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(partitions);
        var wanted = partitions.Distinct().Order().ToList();
        if (wanted.Count == 0)
        {
            return new Dictionary<(string, int), StoredOffset>();
        }

        var partitionColumn = store.Dialect.PartitionColumn;
        return await store.RunAsync(async (connection, token) =>
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                var list = string.Join(", ", wanted.Select((_, i) => "@p" + i.ToString(CultureInfo.InvariantCulture)));
                command.CommandText = $"SELECT {partitionColumn}, next_offset, watermark_utc FROM consumer_offsets " +
                    $"WHERE group_id = @group AND topic = @topic AND {partitionColumn} IN ({list})";
                AddParameter(command, "@group", Truncate(groupId, StoreLimits.GroupIdLength));
                AddParameter(command, "@topic", Truncate(topic, StoreLimits.TopicLength));
                for (var i = 0; i < wanted.Count; i++)
                {
                    AddParameter(command, "@p" + i.ToString(CultureInfo.InvariantCulture), wanted[i]);
                }

                var result = new Dictionary<(string Topic, int Partition), StoredOffset>();
                var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(token).ConfigureAwait(false))
                    {
                        result[(topic, ToInt32(reader.GetValue(0)))] = new StoredOffset(ToInt64(reader.GetValue(1)), ReadUtcOrNull(reader, 2));
                    }
                }

                return (IReadOnlyDictionary<(string Topic, int Partition), StoredOffset>)result;
            }
        }, ct).ConfigureAwait(false);
    }
}
