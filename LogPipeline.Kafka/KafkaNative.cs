using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace LogPipeline.Kafka;

/// <summary>
/// The one place that loads native librdkafka, for Confluent.Kafka and for the mock cluster of
/// <see cref="Embedded.EmbeddedKafka"/>. Call <see cref="EnsureLoaded"/> before building a client.
/// </summary>
public static class KafkaNative
{
    private static readonly Lock Gate = new();
    private static IntPtr handle;

    /// <summary>Path or name of the loaded library, for diagnostics.</summary>
    public static string? LoadedFrom { get; private set; }

    /// <summary>Loads librdkafka once; throws with the fix when it is missing.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (handle != IntPtr.Zero)
            {
                return;
            }

#if LIBRDKAFKA_FROM_OS
            // Offline flavour: Confluent.Kafka without librdkafka.redist runs on the OS library.
            const string osLibrary = "librdkafka.so.1";
            if (!NativeLibrary.TryLoad(osLibrary, out handle))
            {
                throw new InvalidOperationException(
                    $"Native librdkafka ({osLibrary}) was not found. This is the offline build flavour, which uses the " +
                    "operating system's librdkafka: install it with 'apt-get install librdkafka1' (Debian/Ubuntu).");
            }

            // Confluent's loader dlopens the path, then binds its [DllImport("librdkafka")] methods by
            // that bare name, which only resolves where a development symlink (librdkafka.so, from
            // librdkafka-dev) exists: hand it the library loaded above instead. It also asks for
            // "libdl", which glibc 2.34+ ships only as libdl.so.2.
            NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, static (name, _, _) => name switch
            {
                "librdkafka" => handle,
                "libdl" => NativeLibrary.Load("libdl.so.2"),
                _ => IntPtr.Zero,
            });
            Library.Load(osLibrary);
            LoadedFrom = osLibrary;
#else
            // Full flavour: librdkafka.redist puts librdkafka next to the app; Confluent finds it.
            Library.Load();
            if (!NativeLibrary.TryLoad("librdkafka", typeof(KafkaNative).Assembly, DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories, out handle))
            {
                throw new InvalidOperationException("Native librdkafka from the librdkafka.redist package was not found next to the application.");
            }

            LoadedFrom = "librdkafka.redist";
#endif
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

    // Our own [LibraryImport("librdkafka")] calls bind to the handle loaded above.
    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == NativeMethods.LibraryName ? handle : IntPtr.Zero;
}
