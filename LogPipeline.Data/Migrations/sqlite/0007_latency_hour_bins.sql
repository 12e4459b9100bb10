-- LogPipeline store, version 7 (SQLite). latency_histogram_hour keeps one row per hour, service and
-- bin, like latency_histogram_minute, instead of one row per hour and service with its bins packed in
-- text: the processor adds a batch's deltas with an upsert (count = count + the delta) instead of
-- reading, merging and rewriting every packed row the batch touches. Refilled here from the minute
-- rows, which it sums exactly; safe to repeat.
DROP TABLE IF EXISTS latency_histogram_hour;

CREATE TABLE latency_histogram_hour (
    bucket_start_utc TEXT NOT NULL,
    service          TEXT NOT NULL,
    bin              INTEGER NOT NULL,
    count            INTEGER NOT NULL,
    PRIMARY KEY (bucket_start_utc, service, bin)
);

INSERT INTO latency_histogram_hour (bucket_start_utc, service, bin, count)
SELECT strftime('%Y-%m-%d %H:00:00', bucket_start_utc), service, bin, SUM(count)
FROM latency_histogram_minute GROUP BY 1, service, bin;
