using System.Text.RegularExpressions;

namespace LogPipeline.Processor.Pipeline;

/// <summary>
/// Groups messages that differ only in their variable parts: ids, numbers, hex, addresses and
/// durations become placeholders, and the template's 64-bit FNV-1a hash is its fingerprint.
/// "Timeout after 3012 ms calling payments for order 88213" and "... 95 ms ... order 7"
/// share the template "Timeout after &lt;num&gt; ms calling payments for order &lt;num&gt;".
/// </summary>
public static partial class Fingerprinter
{
    public static (string Template, long Fingerprint) Fingerprint(string message)
    {
        var template = Variable().Replace(message, static m =>
            m.Groups["uuid"].Success ? "<uuid>"
            : m.Groups["ip"].Success ? "<ip>"
            : m.Groups["hex"].Success ? "<hex>"
            : "<num>");
        return (template, unchecked((long)Fnv1a(template)));
    }

    private static ulong Fnv1a(string s)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in s)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    // Order matters: a UUID or an address would otherwise be eaten as hex or numbers.
    [GeneratedRegex(
        @"(?<uuid>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)" +
        @"|(?<ip>\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b)" +
        @"|(?<hex>\b0x[0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b)" +
        @"|(?<num>-?\d+(?:[.,:]\d+)*)",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Variable();
}
