using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LogPipeline.Data.Configurations;

internal sealed class VolumeMinuteConfiguration : IEntityTypeConfiguration<VolumeMinute>
{
    public void Configure(EntityTypeBuilder<VolumeMinute> builder)
    {
        builder.ToTable("volume_minute");
        builder.HasKey(e => new { e.BucketStartUtc, e.Service, e.Level });
        builder.Property(e => e.BucketStartUtc).HasColumnName("bucket_start_utc");
        builder.Property(e => e.Service).HasColumnName("service").HasMaxLength(StoreLimits.ServiceLength);
        builder.Property(e => e.Level).HasColumnName("level").HasConversion<byte>();
        builder.Property(e => e.Count).HasColumnName("count");
        builder.Property(e => e.Bytes).HasColumnName("bytes");
    }
}
