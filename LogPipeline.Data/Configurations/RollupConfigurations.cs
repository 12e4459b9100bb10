using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LogPipeline.Data.Configurations;

internal sealed class VolumeHourConfiguration() : VolumeBucketConfiguration<VolumeHour>("volume_hour");

internal sealed class VolumeFiveMinutesConfiguration() : VolumeBucketConfiguration<VolumeFiveMinutes>("volume_5m");

internal sealed class LatencyHistogramHourConfiguration() : LatencyHistogramBucketConfiguration<LatencyHistogramHour>("latency_histogram_hour");

internal sealed class LatencyHistogramFiveMinutesConfiguration() : LatencyHistogramBucketConfiguration<LatencyHistogramFiveMinutes>("latency_histogram_5m");

internal abstract class VolumeBucketConfiguration<T>(string table) : IEntityTypeConfiguration<T>
    where T : VolumeBucket
{
    public void Configure(EntityTypeBuilder<T> builder)
    {
        builder.ToTable(table);
        builder.HasKey(e => new { e.BucketStartUtc, e.Service, e.Level });
        builder.Property(e => e.BucketStartUtc).HasColumnName("bucket_start_utc");
        builder.Property(e => e.Service).HasColumnName("service").HasMaxLength(StoreLimits.ServiceLength);
        builder.Property(e => e.Level).HasColumnName("level").HasConversion<byte>();
        builder.Property(e => e.Count).HasColumnName("count");
        builder.Property(e => e.Bytes).HasColumnName("bytes");
    }
}

internal abstract class LatencyHistogramBucketConfiguration<T>(string table) : IEntityTypeConfiguration<T>
    where T : LatencyHistogramBucket
{
    public void Configure(EntityTypeBuilder<T> builder)
    {
        builder.ToTable(table);
        builder.HasKey(e => new { e.BucketStartUtc, e.Service });
        builder.Property(e => e.BucketStartUtc).HasColumnName("bucket_start_utc");
        builder.Property(e => e.Service).HasColumnName("service").HasMaxLength(StoreLimits.ServiceLength);
        builder.Property(e => e.Count).HasColumnName("count");
        builder.Property(e => e.Bins).HasColumnName("bins");
    }
}

internal sealed class ErrorHourConfiguration : ErrorBucketConfiguration<ErrorHour>
{
    public ErrorHourConfiguration()
        : base("error_hour")
    {
    }
}

internal sealed class ErrorMinuteConfiguration : ErrorBucketConfiguration<ErrorMinute>
{
    public ErrorMinuteConfiguration()
        : base("error_minute")
    {
    }
}

internal abstract class ErrorBucketConfiguration<T>(string table) : IEntityTypeConfiguration<T>
    where T : ErrorBucket
{
    public void Configure(EntityTypeBuilder<T> builder)
    {
        builder.ToTable(table);
        builder.HasKey(e => new { e.BucketStartUtc, e.Service, e.Fingerprint });
        builder.Property(e => e.BucketStartUtc).HasColumnName("bucket_start_utc");
        builder.Property(e => e.Service).HasColumnName("service").HasMaxLength(StoreLimits.ServiceLength);
        builder.Property(e => e.Fingerprint).HasColumnName("fingerprint").ValueGeneratedNever();
        builder.Property(e => e.Count).HasColumnName("count");
        builder.Property(e => e.FirstSeenUtc).HasColumnName("first_seen_utc");
        builder.Property(e => e.LastSeenUtc).HasColumnName("last_seen_utc");
    }
}
