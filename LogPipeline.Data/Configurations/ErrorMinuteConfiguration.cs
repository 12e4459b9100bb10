namespace LogPipeline.Data.Configurations;

internal sealed class ErrorMinuteConfiguration : ErrorBucketConfiguration<ErrorMinute>
{
    public ErrorMinuteConfiguration()
        : base("error_minute")
    {
    }
}
