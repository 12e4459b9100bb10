using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LogPipeline.Data.Configurations;

internal sealed class ErrorFingerprintConfiguration : IEntityTypeConfiguration<ErrorFingerprint>
{
    public void Configure(EntityTypeBuilder<ErrorFingerprint> builder)
    {
        builder.ToTable("error_fingerprints");
        builder.HasKey(e => new { e.Service, e.Fingerprint });
        builder.Property(e => e.Service).HasColumnName("service").HasMaxLength(StoreLimits.ServiceLength);
        builder.Property(e => e.Fingerprint).HasColumnName("fingerprint").ValueGeneratedNever();
        builder.Property(e => e.Template).HasColumnName("template");
        builder.Property(e => e.Count).HasColumnName("count");
        builder.Property(e => e.FirstSeenUtc).HasColumnName("first_seen_utc");
        builder.Property(e => e.LastSeenUtc).HasColumnName("last_seen_utc");
        builder.Property(e => e.SampleMessage).HasColumnName("sample_message");
        builder.Property(e => e.Level).HasColumnName("level").HasConversion<byte>();
    }
}
