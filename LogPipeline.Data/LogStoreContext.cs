using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace LogPipeline.Data;

/// <summary>
/// The log store. The schema is owned by the SQL migrations (<see cref="SchemaMigrator"/>), not by
/// EF: the configurations name every table and column explicitly so raw SQL, Grafana's SQL and this
/// model agree, and a test checks them against both engines.
/// </summary>
public sealed class LogStoreContext(DbContextOptions<LogStoreContext> options) : DbContext(options)
{
    public DbSet<LogEventRow> LogEvents => Set<LogEventRow>();

    public DbSet<VolumeMinute> VolumeMinutes => Set<VolumeMinute>();

    public DbSet<HttpStatusMinute> HttpStatusMinutes => Set<HttpStatusMinute>();

    public DbSet<LatencyHistogramMinute> LatencyHistogramMinutes => Set<LatencyHistogramMinute>();

    public DbSet<LatencyMinute> LatencyMinutes => Set<LatencyMinute>();

    public DbSet<ErrorFingerprint> ErrorFingerprints => Set<ErrorFingerprint>();

    public DbSet<VolumeHour> VolumeHours => Set<VolumeHour>();

    public DbSet<LatencyHistogramHour> LatencyHistogramHours => Set<LatencyHistogramHour>();

    public DbSet<VolumeFiveMinutes> VolumeFiveMinutes => Set<VolumeFiveMinutes>();

    public DbSet<LatencyHistogramFiveMinutes> LatencyHistogramFiveMinutes => Set<LatencyHistogramFiveMinutes>();

    public DbSet<ErrorHour> ErrorHours => Set<ErrorHour>();

    public DbSet<ErrorMinute> ErrorMinutes => Set<ErrorMinute>();

    public DbSet<Anomaly> Anomalies => Set<Anomaly>();

    public DbSet<PipelineMinute> PipelineMinutes => Set<PipelineMinute>();

    public DbSet<ConsumerOffset> ConsumerOffsets => Set<ConsumerOffset>();

    public DbSet<DeadLetterRow> DeadLetters => Set<DeadLetterRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(LogStoreContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Both engines store a DateTime without its kind; every DateTime here is UTC.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : v,
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
