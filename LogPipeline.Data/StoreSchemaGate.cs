namespace LogPipeline.Data;

/// <summary>
/// Completes when the schema owner has brought the schema to this build's version; the owner's
/// workers wait for it before they touch the store.
/// </summary>
public sealed class StoreSchemaGate
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Ready => _ready.Task;

    internal void Open() => _ready.TrySetResult();

    internal void Fail(Exception exception) => _ready.TrySetException(exception);
}
