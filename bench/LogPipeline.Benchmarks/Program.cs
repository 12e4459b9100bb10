using System.Globalization;
using LogPipeline.Benchmarks;

if (args is [BrokerProcess.Argument, ..])
{
    return BrokerProcess.Run(args);
}

var options = BenchmarkOptions.Parse(args, out var error);
if (options is null)
{
    await Console.Error.WriteLineAsync(error is null ? BenchmarkOptions.Usage : error + "\n" + BenchmarkOptions.Usage);
    return error is null ? 0 : 2;
}

if (options.Ingest)
{
    await new IngestBenchmark(options, Console.Out).RunAsync(Console.Out);
    return 0;
}

if (options.Queries)
{
    foreach (var store in options.Stores)
    {
        await new QueryBenchmark(options, Console.Out).RunAsync(store);
    }

    return 0;
}

var benchmark = new PipelineBenchmark(options, Console.Out);
var results = new List<BenchmarkResult>();
foreach (var store in options.Stores)
{
    results.Add(await benchmark.RunAsync(store));
}

Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{Environment.ProcessorCount} cores; backlog {options.WarmUp:N0} warm-up + {options.Events:N0} timed events; live at {(options.Rate is { } rate ? $"{rate:N0} events/s" : "half the measured rate")} for {options.Seconds} s. Numbers depend on the machine."));
ResultTable.Write(Console.Out, results);
return 0;
