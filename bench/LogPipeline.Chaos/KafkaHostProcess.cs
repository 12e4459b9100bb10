using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using LogPipeline.Kafka;
using LogPipeline.Testing;

namespace LogPipeline.Chaos;

/// <summary>The embedded Kafka cluster as its own process (the built LogPipeline.KafkaHost.dll), up for the whole run.</summary>
public sealed class KafkaHostProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;

    private KafkaHostProcess(Process process, string bootstrapServers)
    {
        _process = process;
        BootstrapServers = bootstrapServers;
    }

    public string BootstrapServers { get; }

    /// <summary>Starts it with both topics of <paramref name="partitions"/> partitions and waits until a client sees them.</summary>
    public static KafkaHostProcess Start(string folder, int partitions)
    {
        var port = LoopbackPort.Free();
        var count = partitions.ToString(CultureInfo.InvariantCulture);
        var process = DotnetProcess.Start("LogPipeline.KafkaHost.dll", ["--urls=http://127.0.0.1:0"], new Dictionary<string, string?>
        {
            ["Kafka:Embedded:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Kafka:Embedded:RawPartitions"] = count,
            ["Kafka:Embedded:DeadLetterPartitions"] = count,
        }, Path.Combine(folder, "kafka.log"));
        var host = new KafkaHostProcess(process, $"127.0.0.1:{port}");
        try
        {
            host.WaitForTopics(partitions);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void WaitForTopics(int partitions)
    {
        KafkaNative.EnsureLoaded();
        // Quiet: until the host listens, every attempt would log "Connection refused".
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers })
            .SetLogHandler((_, _) => { })
            .SetErrorHandler((_, _) => { })
            .Build();
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"LogPipeline.KafkaHost exited with {_process.ExitCode}; see kafka.log.");
            }

            try
            {
                var metadata = admin.GetMetadata(TimeSpan.FromSeconds(2));
                if (metadata.Topics.Count(t => (t.Topic == Topics.Raw || t.Topic == Topics.DeadLetter) && t.Partitions.Count == partitions) == 2)
                {
                    return;
                }
            }
            catch (KafkaException)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"LogPipeline.KafkaHost did not serve both topics within {StartTimeout.TotalSeconds} s; see kafka.log.");
            }

            Thread.Sleep(200);
        }
    }
}
