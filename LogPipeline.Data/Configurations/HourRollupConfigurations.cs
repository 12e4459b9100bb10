using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LogPipeline.Data.Configurations;

internal sealed class VolumeHourConfiguration : IEntityTypeConfiguration<VolumeHour>
{
    public void Configure(EntityTypeBuilder<VolumeHour> builder)
    {
        builder.ToTable("volume_hour");
        builder.HasKey(e => new { e.BucketStartUtc, e.Service, e.Level });
        builder.Property(e => e.BucketStartUtc).HasColumnName("bucket_start_utc");
        builder.Property(e => e.Service).HasColumnName("service").HasMaxLength(StoreLimits.ServiceLength);
        builder.Property(e => e.Level).HasColumnName("level").HasConversion<byte>();
        builder.Property(e => e.Count).HasColumnName("count");
        builder.Property(e => e.Bytes).HasColumnName("bytes");
    }
}

internal sealed class LatencyHistogramHourConfiguration : IEntityTypeConfiguration<LatencyHistogramHour>
{
    public void Configure(EntityTypeBuilder<LatencyHistogramHour> builder)
    {
        builder.ToTable("latency_histogram_hour");
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
