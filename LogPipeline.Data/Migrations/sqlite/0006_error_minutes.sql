-- LogPipeline store, version 6 (SQLite). Raw events with a fingerprint per minute, service and
-- fingerprint, written by the processor in the batch's transaction like error_hour. Top errors read
-- the whole hours of a range from error_hour, the whole minutes at its two edges from here, and only
-- the seconds before the first and after the last whole minute from the raw rows: a week's answer
-- reads at most two minutes of raw events instead of up to two hours. Filled here from the raw events.
CREATE TABLE IF NOT EXISTS error_minute (
    bucket_start_utc TEXT NOT NULL,
    service          TEXT NOT NULL,
    fingerprint      INTEGER NOT NULL,
    count            INTEGER NOT NULL,
    first_seen_utc   TEXT NOT NULL,
    last_seen_utc    TEXT NOT NULL,
    PRIMARY KEY (bucket_start_utc, service, fingerprint)
);

DELETE FROM error_minute;
INSERT INTO error_minute (bucket_start_utc, service, fingerprint, count, first_seen_utc, last_seen_utc)
SELECT strftime('%Y-%m-%d %H:%M:00', timestamp_utc), service, fingerprint, COUNT(*), MIN(timestamp_utc), MAX(timestamp_utc)
FROM log_events WHERE fingerprint IS NOT NULL GROUP BY 1, service, fingerprint;
