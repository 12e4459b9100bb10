using System.Runtime.InteropServices;
using System.Text;

namespace LogPipeline.Kafka.Embedded;

/// <summary>
/// An in-process Kafka cluster: librdkafka's mock cluster, which speaks the real Kafka protocol on
/// 127.0.0.1 ports, so real clients (Confluent.Kafka, kcat) use it unchanged. It stands in for a
/// broker where none can be installed: the one-command local run and the tests.
/// </summary>
/// <remarks>
/// Limits: everything is in memory and gone when it is disposed; each partition keeps at most 5 MiB
/// (hard-coded in librdkafka) and silently deletes older messages, so a consumer that lags by more
/// than that loses data on this broker only. Spread load over many partitions. Ports change on every
/// start. Create topics here: the admin API's CreateTopics times out against the mock.
/// </remarks>
public sealed class EmbeddedKafka : IDisposable
{
    /// <summary>librdkafka's per-partition log limit in the mock cluster.</summary>
    public const long PartitionCapacityBytes = 5L * 1024 * 1024;

    private readonly Lock _gate = new();
    private IntPtr _client;
    private IntPtr _cluster;

    private EmbeddedKafka(IntPtr client, IntPtr cluster, string bootstrapServers)
    {
        _client = client;
        _cluster = cluster;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>Comma-separated host:port list to give clients as bootstrap.servers.</summary>
    public string BootstrapServers { get; }

    /// <summary>Starts a mock cluster with <paramref name="brokers"/> brokers on random loopback ports.</summary>
    public static EmbeddedKafka Start(int brokers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        KafkaNative.EnsureLoaded();

        var errstr = new byte[512];
        var conf = NativeMethods.rd_kafka_conf_new();
        // The hosting client only owns the cluster; keep it quiet and off the network.
        if (NativeMethods.rd_kafka_conf_set(conf, "log_level", "3", errstr, (nuint)errstr.Length) != NativeMethods.ConfOk)
        {
            NativeMethods.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException("librdkafka rejected the mock cluster configuration: " + Text(errstr));
        }

        var rk = NativeMethods.rd_kafka_new(NativeMethods.ProducerType, conf, errstr, (nuint)errstr.Length);
        if (rk == IntPtr.Zero)
        {
            // rd_kafka_new frees conf only on success.
            NativeMethods.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException("librdkafka could not create the mock cluster's client: " + Text(errstr));
        }

        var mc = NativeMethods.rd_kafka_mock_cluster_new(rk, brokers);
        if (mc == IntPtr.Zero)
        {
            NativeMethods.rd_kafka_destroy(rk);
            throw new InvalidOperationException("librdkafka could not start a mock cluster.");
        }

        var bootstraps = Marshal.PtrToStringUTF8(NativeMethods.rd_kafka_mock_cluster_bootstraps(mc))
            ?? throw new InvalidOperationException("The mock cluster reported no bootstrap servers.");
        return new EmbeddedKafka(rk, mc, bootstraps);
    }

    /// <summary>Creates a topic; creating one that exists is an error of the mock, reported here.</summary>
    public void CreateTopic(string name, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cluster == IntPtr.Zero, this);
            var err = NativeMethods.rd_kafka_mock_topic_create(_cluster, name, partitions, replicationFactor);
            if (err != 0)
            {
                throw new InvalidOperationException(
                    $"Could not create topic '{name}' on the embedded Kafka: {Marshal.PtrToStringUTF8(NativeMethods.rd_kafka_err2str(err))}");
            }
        }
    }

    /// <summary>Makes broker <paramref name="brokerId"/> advertise another address in its metadata (it keeps listening where it is).</summary>
    public void AdvertiseBroker(int brokerId, string host, int port)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cluster == IntPtr.Zero, this);
            NativeMethods.rd_kafka_mock_broker_set_host_port(_cluster, brokerId, host, port);
        }
    }

    /// <summary>
    /// Takes broker <paramref name="brokerId"/> (1 to the broker count; -1, the default: all) down, as
    /// if it crashed: its connections are closed and new ones refused, until <see cref="SetBrokerUp"/>;
    /// no leadership moves. For outage tests.
    /// </summary>
    public void SetBrokerDown(int brokerId = -1) => SetBroker(brokerId, up: false);

    /// <summary>Brings broker <paramref name="brokerId"/> back after <see cref="SetBrokerDown"/>, with its data.</summary>
    public void SetBrokerUp(int brokerId = -1) => SetBroker(brokerId, up: true);

    private void SetBroker(int brokerId, bool up)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cluster == IntPtr.Zero, this);
            var err = up
                ? NativeMethods.rd_kafka_mock_broker_set_up(_cluster, brokerId)
                : NativeMethods.rd_kafka_mock_broker_set_down(_cluster, brokerId);
            if (err != 0)
            {
                throw new InvalidOperationException(
                    $"Could not set broker {brokerId} of the embedded Kafka {(up ? "up" : "down")}: {Marshal.PtrToStringUTF8(NativeMethods.rd_kafka_err2str(err))}");
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_cluster != IntPtr.Zero)
            {
                NativeMethods.rd_kafka_mock_cluster_destroy(_cluster);
                _cluster = IntPtr.Zero;
            }

            if (_client != IntPtr.Zero)
            {
                NativeMethods.rd_kafka_destroy(_client);
                _client = IntPtr.Zero;
            }
        }
    }

    private static string Text(byte[] errstr)
    {
        var end = Array.IndexOf(errstr, (byte)0);
        return Encoding.UTF8.GetString(errstr, 0, end < 0 ? errstr.Length : end);
    }
}
