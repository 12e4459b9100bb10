using System.Globalization;

namespace LogPipeline.Api.Infrastructure;

internal static class Fingerprints
{
    /// <summary>A fingerprint as the API shows it: its 64 bits as 16 lowercase hex digits.</summary>
    public static string Format(long fingerprint) => ((ulong)fingerprint).ToString("x16", CultureInfo.InvariantCulture);
}
