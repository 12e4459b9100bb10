namespace LogPipeline.Benchmarks;

internal enum BenchStore
{
    Sqlite,
    MariaDb,
}
