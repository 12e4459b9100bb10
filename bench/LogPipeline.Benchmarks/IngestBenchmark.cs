using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using LogPipeline.Ingest;
using LogPipeline.Ingest.Otlp;
using LogPipeline.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace LogPipeline.Benchmarks;

/// <summary>
/// <c>--ingest</c>: OTLP/HTTP protobuf exports of <c>--batch</c> records each through the real
/// ingest into Kafka (the embedded cluster in the broker process, so its CPU is not counted here).
/// Every export is answered only after Kafka acknowledged all its records, so records/s is what
/// reached Kafka. The senders run in this process on ready-encoded bodies: their share of the CPU
/// and allocation is HttpClient's sending, small next to the ingest's decoding, mapping and producing.
/// </summary>
internal sealed class IngestBenchmark(BenchmarkOptions options, TextWriter log)
{
    /// <summary>Distinct bodies (services), so records spread over partitions as a fleet's would.</summary>
    private const int Bodies = 64;

    public async Task RunAsync(TextWriter output)
    {
        using var broker = BrokerChild.Start(0);
        var httpPort = LoopbackPort.Free();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:kafka"] = broker.BootstrapServers,
            ["Ingest:HttpPort"] = httpPort.ToString(CultureInfo.InvariantCulture),
            ["Ingest:GrpcPort"] = LoopbackPort.Free().ToString(CultureInfo.InvariantCulture),
            ["Ingest:BindAddress"] = "127.0.0.1",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Configuration.AddInMemoryCollection(options.ProcessorSettings);
        builder.AddIngest();
        await using var app = builder.Build();
        app.MapIngest();
        await app.StartAsync();

        var url = new Uri($"http://127.0.0.1:{httpPort}{OtlpHttpApi.Route}");
        var bodies = Enumerable.Range(0, Bodies).Select(i => Body(i, options.Batch)).ToArray();
        Log($"ingest: {bodies.Sum(b => b.Length) / (double)(Bodies * options.Batch):0} protobuf bytes per record; {options.Senders} senders, batches of {options.Batch}");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Senders }) { Timeout = TimeSpan.FromSeconds(60) };

        if (options.WarmUp > 0)
        {
            await SendAsync(http, url, bodies, options.WarmUp);
            Log($"ingest: warm-up of {options.WarmUp:N0} records done");
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var brokerCpu = broker.ProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var sampler = options.AllocationTypes ? new AllocationSampler() : null;
        var clock = Stopwatch.StartNew();
        var latencies = await SendAsync(http, url, bodies, options.Events);
        var seconds = clock.Elapsed.TotalSeconds;
        if (sampler is not null)
        {
            sampler.Dispose();
            Log($"ingest: most allocated types while timed (sampled; the sending HttpClient's included):");
            foreach (var (type, share, bytes) in sampler.Top(15))
            {
                Log($"  {share,6:P1} {bytes / 1e6,8:0.0} MB  {type}");
            }
        }

        var records = (double)latencies.Length * options.Batch;
        var cpuUs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / records;
        var brokerUs = (broker.ProcessorTime - brokerCpu).TotalMicroseconds / records;
        var allocatedPerRecord = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / records;
        Array.Sort(latencies);
        await app.StopAsync();

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores; OTLP/HTTP protobuf into Kafka (acks=all), batches of {options.Batch}, {options.Senders} senders; warm-up {options.WarmUp:N0} + {records:N0} timed records. Numbers depend on the machine."));
        output.WriteLine("| records | seconds | records/s | exports/s | ingest cpu µs/record | broker cpu µs/record | alloc B/record | export p50 ms | export p99 ms |");
        output.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {records:N0} | {seconds:0.00} | {records / seconds:N0} | {latencies.Length / seconds:N0} | {cpuUs:0.0} | {brokerUs:0.0} | {allocatedPerRecord:N0} | {Percentile(latencies, 0.50):0.0} | {Percentile(latencies, 0.99):0.0} |"));
    }

    /// <summary>Sends exports until <paramref name="records"/> records are acknowledged; returns each export's latency in ms.</summary>
    private async Task<double[]> SendAsync(HttpClient http, Uri url, byte[][] bodies, int records)
    {
        var exports = (records + options.Batch - 1) / options.Batch;
        var latencies = new double[exports];
        var next = -1;
        var senders = Enumerable.Range(0, options.Senders).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < exports)
            {
                using var content = new ByteArrayContent(bodies[i % bodies.Length]);
                content.Headers.ContentType = new MediaTypeHeaderValue(OtlpHttpApi.ProtobufContentType);
                var started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync(url, content);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"Export {i} was answered {(int)response.StatusCode}: the benchmark counts only acknowledged records.");
                }
            }
        });
        await Task.WhenAll(senders);
        return latencies;
    }

    /// <summary>One export as the OpenTelemetry .NET SDK sends it: a service's resource, one scope, records with trace context and a few attributes.</summary>
    private static byte[] Body(int service, int batch)
    {
        var resource = new Resource();
        foreach (var (key, value) in new[]
        {
            ("service.name", $"checkout-{service:D2}"), ("host.name", $"web-{service % 16:D2}"), ("service.instance.id", Guid.NewGuid().ToString()),
            ("telemetry.sdk.name", "opentelemetry"), ("telemetry.sdk.language", "dotnet"), ("telemetry.sdk.version", "1.21.0"),
        })
        {
            resource.Attributes.Add(new KeyValue { Key = key, Value = new AnyValue { StringValue = value } });
        }

        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "Checkout.Api.OrdersController" } };
        var start = (ulong)(DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
        var random = new Random(service);
        for (var i = 0; i < batch; i++)
        {
            var trace = new byte[16];
            var span = new byte[8];
            random.NextBytes(trace);
            random.NextBytes(span);
            var record = new LogRecord
            {
                TimeUnixNano = start + ((ulong)i * 1_000_000),
                ObservedTimeUnixNano = start + ((ulong)i * 1_000_000) + 50_000,
                SeverityNumber = i % 20 == 0 ? SeverityNumber.Warn : SeverityNumber.Info,
                SeverityText = i % 20 == 0 ? "Warning" : "Information",
                Body = new AnyValue { StringValue = $"Order {random.Next(1_000_000)} placed by customer {random.Next(100_000)}: {random.Next(1, 9)} items, total {random.Next(100, 99_999) / 100.0:0.00} EUR" },
                TraceId = ByteString.CopyFrom(trace),
                SpanId = ByteString.CopyFrom(span),
                Flags = 1,
            };
            record.Attributes.Add(new KeyValue { Key = "OrderId", Value = new AnyValue { IntValue = random.Next(1_000_000) } });
            record.Attributes.Add(new KeyValue { Key = "CustomerId", Value = new AnyValue { StringValue = $"c-{random.Next(100_000)}" } });
            record.Attributes.Add(new KeyValue { Key = "{OriginalFormat}", Value = new AnyValue { StringValue = "Order {OrderId} placed by customer {CustomerId}: {Items} items, total {Total} EUR" } });
            scope.LogRecords.Add(record);
        }

        return new ExportLogsServiceRequest { ResourceLogs = { new ResourceLogs { Resource = resource, ScopeLogs = { scope } } } }.ToByteArray();
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    private void Log(FormattableString message) => log.WriteLine(message.ToString(CultureInfo.InvariantCulture));
}
