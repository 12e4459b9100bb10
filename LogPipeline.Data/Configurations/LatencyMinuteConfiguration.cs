using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LogPipeline.Data.Configurations;

internal sealed class LatencyMinuteConfiguration : IEntityTypeConfiguration<LatencyMinute>
{
    public void Configure(EntityTypeBuilder<LatencyMinute> builder)
    {
        builder.ToTable("latency_minute");
        builder.HasKey(e => new { e.BucketStartUtc, e.Service });
        builder.Property(e => e.BucketStartUtc).HasColumnName("bucket_start_utc");
        builder.Property(e => e.Service).HasColumnName("service").HasMaxLength(StoreLimits.ServiceLength);
        builder.Property(e => e.Count).HasColumnName("count");
        builder.Property(e => e.P50Ms).HasColumnName("p50_ms");
        builder.Property(e => e.P95Ms).HasColumnName("p95_ms");
        builder.Property(e => e.P99Ms).HasColumnName("p99_ms");
    }
}
