using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace LogPipeline.Kafka;

/// <summary>
/// The native librdkafka that Confluent.Kafka loaded, for the mock-cluster calls of
/// <see cref="Embedded.EmbeddedKafka"/> (Confluent.Kafka does not expose them). Confluent.Kafka finds
/// its own library in librdkafka.redist (on Linux the build without a SASL dependency); this binds our
/// imports to that same loaded library rather than loading a second copy.
/// </summary>
public static class KafkaNative
{
    private static readonly Lock Gate = new();
    private static IntPtr _handle;

    /// <summary>Path of the loaded library, for diagnostics.</summary>
    public static string? LoadedFrom { get; private set; }

    /// <summary>Makes Confluent.Kafka load librdkafka, then binds our imports to it; idempotent.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_handle != IntPtr.Zero)
            {
                return;
            }

            // Any call into librdkafka makes Confluent.Kafka pick and load its native library.
            _ = Library.VersionString;
            var path = LoadedLibraryPath()
                ?? throw new InvalidOperationException("Confluent.Kafka loaded no native librdkafka that this process can find.");

            // dlopen of a file already loaded returns that library (with one more reference).
            _handle = NativeLibrary.Load(path);
            LoadedFrom = path;
            NativeLibrary.SetDllImportResolver(typeof(KafkaNative).Assembly, Resolve);
        }
    }

    /// <summary>Version string of the loaded librdkafka.</summary>
    public static string Version
    {
        get
        {
            EnsureLoaded();
            return Library.VersionString;
        }
    }

    /// <summary>
    /// The file of the librdkafka mapped into this process: read from /proc/self/maps on Linux; on
    /// other systems the redist's file next to the application, which is the one Confluent.Kafka loads.
    /// </summary>
    private static string? LoadedLibraryPath()
    {
        if (OperatingSystem.IsLinux() && File.Exists("/proc/self/maps"))
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var slash = line.IndexOf('/', StringComparison.Ordinal);
                if (slash < 0)
                {
                    continue;
                }

                // A file replaced while mapped (a rebuild during a run) shows as "path (deleted)".
                var path = line[slash..].Replace(" (deleted)", "", StringComparison.Ordinal);
                if (Path.GetFileName(path).Contains("librdkafka", StringComparison.Ordinal))
                {
                    return path;
                }
            }

            return null;
        }

        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native");
        var name = OperatingSystem.IsWindows() ? "librdkafka.dll" : "librdkafka.dylib";
        return File.Exists(Path.Combine(native, name)) ? Path.Combine(native, name) : null;
    }

    // Our own [LibraryImport("librdkafka")] calls bind to the handle loaded above.
    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == NativeMethods.LibraryName ? _handle : IntPtr.Zero;
}
