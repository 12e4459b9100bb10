using LogPipeline.Chaos;

var options = ChaosOptions.Parse(args, out var error);
if (options is null)
{
    await Console.Error.WriteLineAsync(error is null ? ChaosOptions.Usage : error + "\n" + ChaosOptions.Usage);
    return error is null ? 0 : 2;
}

var result = await new ChaosRun(options, Console.Out).RunAsync();
result.Write(Console.Out);
return result.Passed ? 0 : 1;
