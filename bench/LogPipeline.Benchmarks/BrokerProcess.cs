using System.Diagnostics;
using System.Globalization;
using LogPipeline.Kafka.Embedded;

namespace LogPipeline.Benchmarks;

/// <summary>
/// The benchmark's second process: the embedded Kafka cluster and the producer of the benchmark's
/// records. Keeping both out of the process that hosts the processor leaves that process's CPU time,
/// allocation and peak RSS the processor's own: in one process the mock broker's threads and the
/// generated backlog (hundreds of MB for a million events) were counted as the processor's.
/// </summary>
/// <remarks>
/// It talks over its standard streams, a line each. It answers <c>ready</c> with the bootstrap
/// address, the records produced and their bytes and seconds once the backlog is in Kafka; then
/// <c>live R S</c> on its input produces S seconds of live traffic at R records/s and answers
/// <c>live-done</c> with the records and seconds; it exits when its input closes. Logs go to stderr.
/// </remarks>
internal static class BrokerProcess
{
    public const string Argument = "--broker-process";

    public const string RawTopic = "logs.raw";
    public const string DeadLetterTopic = "logs.deadletter";
    public const int RawPartitions = 128;

    /// <summary>The child's side: <c>--broker-process BACKLOG</c>.</summary>
    public static int Run(string[] args)
    {
        var backlogCount = int.Parse(args[1], CultureInfo.InvariantCulture);
        var now = DateTimeOffset.UtcNow;
        using var kafka = EmbeddedKafka.Start();
        kafka.CreateTopic(RawTopic, RawPartitions);
        kafka.CreateTopic(DeadLetterTopic, 4);
        using var producer = LogStream.CreateProducer(kafka.BootstrapServers, lingerMs: 200);
        using var liveProducer = LogStream.CreateProducer(kafka.BootstrapServers);

        // Generated in slices and dropped once produced: this process's memory is not measured, but a
        // million ready messages would still take the machine's memory from the processor's.
        var step = TimeSpan.FromMinutes(5) / Math.Max(1, backlogCount);
        var started = Stopwatch.GetTimestamp();
        var generator = LogStream.Generator(seed: 42);
        long bytes = 0;
        for (var offset = 0; offset < backlogCount; offset += LogStream.SliceSize)
        {
            var slice = LogStream.Generate(generator, Math.Min(LogStream.SliceSize, backlogCount - offset), now.AddMinutes(-5) + (step * offset), step);
            slice.ProduceAll(producer, RawTopic, RawPartitions, offset);
            bytes += slice.Bytes;
        }

        LogStream.Flush(producer);
        var produceSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var retained = LogStream.CountRetained(kafka.BootstrapServers, RawTopic, RawPartitions);
        if (retained != backlogCount)
        {
            throw new InvalidOperationException($"Kafka holds {retained} of the {backlogCount} records produced.");
        }

        Answer($"ready {kafka.BootstrapServers} {backlogCount} {bytes} {produceSeconds}");
        while (Console.ReadLine() is { } command)
        {
            var parts = command.Split(' ');
            if (parts[0] == "live")
            {
                var rate = int.Parse(parts[1], CultureInfo.InvariantCulture);
                var seconds = int.Parse(parts[2], CultureInfo.InvariantCulture);
                var live = LogStream.Generate(LogStream.Generator(seed: 43), rate * seconds, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1) / rate);
                var sending = live.ProducePaced(liveProducer, RawTopic, rate);
                Answer($"live-done {live.Count} {sending.TotalSeconds}");
            }
        }

        return 0;
    }

    private static void Answer(FormattableString line)
    {
        Console.Out.WriteLine(line.ToString(CultureInfo.InvariantCulture));
        Console.Out.Flush();
    }
}
