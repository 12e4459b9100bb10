using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LogPipeline.Data.Configurations;

internal sealed class DeadLetterRowConfiguration : IEntityTypeConfiguration<DeadLetterRow>
{
    public void Configure(EntityTypeBuilder<DeadLetterRow> builder)
    {
        builder.ToTable("dead_letters");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasColumnName("id").ValueGeneratedOnAdd();
        builder.Property(e => e.SourceTopic).HasColumnName("source_topic").HasMaxLength(StoreLimits.TopicLength);
        builder.Property(e => e.SourcePartition).HasColumnName("source_partition");
        builder.Property(e => e.SourceOffset).HasColumnName("source_offset");
        builder.Property(e => e.Reason).HasColumnName("reason").HasMaxLength(StoreLimits.DeadLetterReasonLength);
        builder.Property(e => e.Detail).HasColumnName("detail").HasMaxLength(StoreLimits.DeadLetterDetailLength);
        builder.Property(e => e.RecordKey).HasColumnName("record_key").HasMaxLength(StoreLimits.DeadLetterKeyLength);
        builder.Property(e => e.Host).HasColumnName("host").HasMaxLength(StoreLimits.DeadLetterKeyLength);
        builder.Property(e => e.ValueSize).HasColumnName("value_size");
        builder.Property(e => e.ValueSha256).HasColumnName("value_sha256").HasMaxLength(64).IsFixedLength();
        builder.Property(e => e.Preview).HasColumnName("preview").HasMaxLength(StoreLimits.DeadLetterPreviewLength);
        builder.Property(e => e.RecordTimeUtc).HasColumnName("record_time_utc");
        builder.Property(e => e.DeadLetteredAtUtc).HasColumnName("dead_lettered_at_utc");
        builder.HasIndex(e => new { e.SourceTopic, e.SourcePartition, e.SourceOffset }).IsUnique().HasDatabaseName("ux_dead_letters_source");
        builder.HasIndex(e => e.DeadLetteredAtUtc).HasDatabaseName("ix_dead_letters_at");
    }
}
