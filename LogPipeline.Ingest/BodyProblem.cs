namespace LogPipeline.Ingest;

/// <summary>Why a body could not be read.</summary>
public enum BodyProblem
{
    None,

    /// <summary>Over the limit, counted after decompression.</summary>
    TooLarge,

    /// <summary>Content-Encoding gzip, but not gzip.</summary>
    BadGzip,
}
