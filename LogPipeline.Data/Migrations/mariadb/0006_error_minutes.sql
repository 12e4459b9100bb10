-- LogPipeline store, version 6 (MariaDB). Raw events with a fingerprint per minute, service and
-- fingerprint, written by the processor in the batch's transaction like error_hour. Top errors read
-- the whole hours of a range from error_hour, the whole minutes at its two edges from here, and only
-- the seconds before the first and after the last whole minute from the raw rows: a week's answer
-- reads at most two minutes of raw events instead of up to two hours. Filled here from the raw events.
-- The service compares exactly (nopad_bin), as the API groups top errors.
CREATE TABLE IF NOT EXISTS error_minute (
    bucket_start_utc DATETIME(6) NOT NULL,
    service          VARCHAR(100) COLLATE utf8mb4_nopad_bin NOT NULL,
    fingerprint      BIGINT NOT NULL,
    count            BIGINT NOT NULL,
    first_seen_utc   DATETIME(6) NOT NULL,
    last_seen_utc    DATETIME(6) NOT NULL,
    PRIMARY KEY (bucket_start_utc, service, fingerprint)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

DELETE FROM error_minute;
INSERT INTO error_minute (bucket_start_utc, service, fingerprint, count, first_seen_utc, last_seen_utc)
SELECT DATE_FORMAT(timestamp_utc, '%Y-%m-%d %H:%i:00'), service COLLATE utf8mb4_nopad_bin, fingerprint, COUNT(*), MIN(timestamp_utc), MAX(timestamp_utc)
FROM log_events WHERE fingerprint IS NOT NULL
GROUP BY DATE_FORMAT(timestamp_utc, '%Y-%m-%d %H:%i:00'), service COLLATE utf8mb4_nopad_bin, fingerprint;
