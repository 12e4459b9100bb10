using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LogPipeline.Data.Configurations;

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
