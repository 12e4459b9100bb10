using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LogPipeline.Data.Configurations;

internal sealed class LatencyHistogramMinuteConfiguration : IEntityTypeConfiguration<LatencyHistogramMinute>
{
    public void Configure(EntityTypeBuilder<LatencyHistogramMinute> builder)
    {
        builder.ToTable("latency_histogram_minute");
        builder.HasKey(e => new { e.BucketStartUtc, e.Service, e.Bin });
        builder.Property(e => e.BucketStartUtc).HasColumnName("bucket_start_utc");
        builder.Property(e => e.Service).HasColumnName("service").HasMaxLength(StoreLimits.ServiceLength);
        builder.Property(e => e.Bin).HasColumnName("bin");
        builder.Property(e => e.Count).HasColumnName("count");
    }
}
