using System.Data.Common;

namespace LogPipeline.Processor.Storage;

/// <summary>
/// A bulk load that the server completed only in part or with changed values (see
/// <see cref="MariaDbBulkLoad"/>): what a failed INSERT would have been, so never transient.
/// </summary>
public sealed class BulkLoadException : DbException
{
    public BulkLoadException()
    {
    }

    public BulkLoadException(string message)
        : base(message)
    {
    }

    public BulkLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
