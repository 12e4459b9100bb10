using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LogPipeline.Data.Configurations;

internal sealed class LogEventRowConfiguration : IEntityTypeConfiguration<LogEventRow>
{
    public void Configure(EntityTypeBuilder<LogEventRow> builder)
    {
        builder.ToTable("log_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasColumnName("id").ValueGeneratedOnAdd();
        builder.Property(e => e.SourceTopic).HasColumnName("source_topic").HasMaxLength(StoreLimits.TopicLength);
        builder.Property(e => e.SourcePartition).HasColumnName("source_partition");
        builder.Property(e => e.SourceOffset).HasColumnName("source_offset");
        builder.Property(e => e.TimestampUtc).HasColumnName("timestamp_utc");
        builder.Property(e => e.MinuteBucket).HasColumnName("minute_bucket").HasComputedColumnSql(); // each engine's 0003 migration defines it
        builder.Property(e => e.UtcOffsetMinutes).HasColumnName("utc_offset_minutes");
        builder.Property(e => e.ReceivedAtUtc).HasColumnName("received_at_utc");
        builder.Property(e => e.Service).HasColumnName("service").HasMaxLength(StoreLimits.ServiceLength);
        builder.Property(e => e.Host).HasColumnName("host").HasMaxLength(StoreLimits.HostLength);
        builder.Property(e => e.Level).HasColumnName("level").HasConversion<byte>();
        builder.Property(e => e.Message).HasColumnName("message");
        builder.Property(e => e.Format).HasColumnName("format");
        builder.Property(e => e.HttpMethod).HasColumnName("http_method").HasMaxLength(StoreLimits.HttpMethodLength);
        builder.Property(e => e.HttpPath).HasColumnName("http_path").HasMaxLength(StoreLimits.HttpPathLength);
        builder.Property(e => e.HttpStatus).HasColumnName("http_status");
        builder.Property(e => e.HttpDurationMs).HasColumnName("http_duration_ms");
        builder.Property(e => e.HttpBytes).HasColumnName("http_bytes");
        builder.Property(e => e.TraceId).HasColumnName("trace_id").HasMaxLength(StoreLimits.TraceIdLength).IsFixedLength();
        builder.Property(e => e.SpanId).HasColumnName("span_id").HasMaxLength(StoreLimits.SpanIdLength).IsFixedLength();
        builder.Property(e => e.Fingerprint).HasColumnName("fingerprint");
        builder.Property(e => e.AttributesJson).HasColumnName("attributes_json");
        builder.Property(e => e.IsLate).HasColumnName("is_late");

        // Redelivery of a Kafka message must insert nothing: its coordinates are unique.
        builder.HasIndex(e => new { e.SourceTopic, e.SourcePartition, e.SourceOffset }).IsUnique().HasDatabaseName("ux_log_events_source");
        builder.HasIndex(e => e.TimestampUtc).HasDatabaseName("ix_log_events_timestamp");
        builder.HasIndex(e => new { e.Service, e.TimestampUtc }).HasDatabaseName("ix_log_events_service_timestamp");
        // Trace lookups are time-bounded: led by the minute, inserts touch only the current minute's part.
        builder.HasIndex(e => new { e.MinuteBucket, e.TraceId }).HasDatabaseName("ix_log_events_minute_trace");
    }
}
