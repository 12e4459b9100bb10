using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LogPipeline.Data.Configurations;

internal sealed class AnomalyConfiguration : IEntityTypeConfiguration<Anomaly>
{
    public void Configure(EntityTypeBuilder<Anomaly> builder)
    {
        builder.ToTable("anomalies");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasColumnName("id").ValueGeneratedOnAdd();
        builder.Property(e => e.Service).HasColumnName("service").HasMaxLength(StoreLimits.ServiceLength);
        builder.Property(e => e.Kind).HasColumnName("kind").HasMaxLength(StoreLimits.AnomalyKindLength);
        builder.Property(e => e.StartedAtUtc).HasColumnName("started_at_utc");
        builder.Property(e => e.EndedAtUtc).HasColumnName("ended_at_utc");
        builder.Property(e => e.Observed).HasColumnName("observed");
        builder.Property(e => e.Expected).HasColumnName("expected");
        builder.Property(e => e.UpdatedAtUtc).HasColumnName("updated_at_utc");

        // No "one open anomaly per service and kind" unique index: SQLite has partial indexes but
        // MariaDB has none, so the detector (a single writer) keeps that rule itself.
        builder.HasIndex(e => new { e.Service, e.EndedAtUtc }).HasDatabaseName("ix_anomalies_service_ended");
        builder.HasIndex(e => e.StartedAtUtc).HasDatabaseName("ix_anomalies_started");
    }
}
