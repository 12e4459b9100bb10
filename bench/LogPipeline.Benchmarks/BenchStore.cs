using System.Globalization;

namespace LogPipeline.Benchmarks;

internal enum BenchStore
{
    Sqlite,
    MariaDb,
}
