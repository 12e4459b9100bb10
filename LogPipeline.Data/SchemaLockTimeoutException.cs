namespace LogPipeline.Data;

/// <summary>
/// Another process held the schema migration lock for longer than this migrator waits for it: it is
/// migrating (a large upgrade can take minutes), so this one waits again rather than report the store
/// unreachable. A <see cref="TimeoutException"/>, so every store wait retries it like any other.
/// </summary>
public sealed class SchemaLockTimeoutException(string message) : TimeoutException(message);
