using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LogPipeline.Data.Configurations;

internal sealed class ConsumerOffsetConfiguration : IEntityTypeConfiguration<ConsumerOffset>
{
    public void Configure(EntityTypeBuilder<ConsumerOffset> builder)
    {
        builder.ToTable("consumer_offsets");
        builder.HasKey(e => new { e.GroupId, e.Topic, e.Partition });
        builder.Property(e => e.GroupId).HasColumnName("group_id").HasMaxLength(StoreLimits.GroupIdLength);
        builder.Property(e => e.Topic).HasColumnName("topic").HasMaxLength(StoreLimits.TopicLength);
        builder.Property(e => e.Partition).HasColumnName("partition").ValueGeneratedNever();
        builder.Property(e => e.NextOffset).HasColumnName("next_offset");
        builder.Property(e => e.WatermarkUtc).HasColumnName("watermark_utc");
        builder.Property(e => e.UpdatedAtUtc).HasColumnName("updated_at_utc");
    }
}
