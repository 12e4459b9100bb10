namespace LogPipeline.Data.Configurations;

internal sealed class ErrorHourConfiguration : ErrorBucketConfiguration<ErrorHour>
{
    public ErrorHourConfiguration()
        : base("error_hour")
    {
    }
}
