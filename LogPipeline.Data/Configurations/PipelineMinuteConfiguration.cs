using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LogPipeline.Data.Configurations;

internal sealed class PipelineMinuteConfiguration : IEntityTypeConfiguration<PipelineMinute>
{
    public void Configure(EntityTypeBuilder<PipelineMinute> builder)
    {
        builder.ToTable("pipeline_minute");
        builder.HasKey(e => e.BucketStartUtc);
        builder.Property(e => e.BucketStartUtc).HasColumnName("bucket_start_utc").ValueGeneratedNever();
        builder.Property(e => e.EventsIn).HasColumnName("events_in");
        builder.Property(e => e.EventsStored).HasColumnName("events_stored");
        builder.Property(e => e.LateEvents).HasColumnName("late_events");
        builder.Property(e => e.DeadLetters).HasColumnName("dead_letters");
    }
}
