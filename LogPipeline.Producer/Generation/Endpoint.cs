namespace LogPipeline.Producer.Generation;

internal sealed record Endpoint(string Method, string Path, double Weight, double LatencyFactor, int TypicalBytes);
