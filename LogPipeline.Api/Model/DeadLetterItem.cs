namespace LogPipeline.Api.Model;

/// <summary>
/// A dead letter as stored: reason and detail, the source record's position, key and host, the
/// value's size and SHA-256 (the value itself is on the dead-letter topic) and a readable preview.
/// </summary>
public sealed record DeadLetterItem(
    long Id,
    string Reason,
    string Detail,
    string Topic,
    int Partition,
    long Offset,
    string? Key,
    string? Host,
    int Size,
    string Sha256,
    string Preview,
    DateTime RecordTime,
    DateTime DeadLetteredAt);
