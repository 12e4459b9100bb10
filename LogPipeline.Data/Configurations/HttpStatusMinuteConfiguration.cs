using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LogPipeline.Data.Configurations;

internal sealed class HttpStatusMinuteConfiguration : IEntityTypeConfiguration<HttpStatusMinute>
{
    public void Configure(EntityTypeBuilder<HttpStatusMinute> builder)
    {
        builder.ToTable("http_status_minute");
        builder.HasKey(e => new { e.BucketStartUtc, e.Service, e.StatusClass });
        builder.Property(e => e.BucketStartUtc).HasColumnName("bucket_start_utc");
        builder.Property(e => e.Service).HasColumnName("service").HasMaxLength(StoreLimits.ServiceLength);
        builder.Property(e => e.StatusClass).HasColumnName("status_class");
        builder.Property(e => e.Count).HasColumnName("count");
    }
}
