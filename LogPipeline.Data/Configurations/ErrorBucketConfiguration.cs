using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LogPipeline.Data.Configurations;

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
