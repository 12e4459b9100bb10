-- LogPipeline store, version 5 (SQLite). Hourly rollups, written by the processor in the same
-- transaction as the minute aggregates (and the raw events, for error_hour), so that stats over days
-- and top errors over a week read hundreds of rows, not hundreds of thousands. Each is filled here
-- from what the store already holds. An hour's rows hold exactly the sums of its minute rows
-- (volume, latency) or of its raw events (errors, late ones included, as the API counts raw events).
--
-- latency_histogram_hour keeps one row per hour and service, its bins packed in text as
-- "bin:count,bin:count" (LatencyHistogram's bins, any order, each bin once): a week of one service
-- is 168 rows instead of ~200 bin rows per hour. count is the sum of the counts.
CREATE TABLE IF NOT EXISTS volume_hour (
    bucket_start_utc TEXT NOT NULL,
    service          TEXT NOT NULL,
    level            INTEGER NOT NULL,
    count            INTEGER NOT NULL,
    bytes            INTEGER NOT NULL,
    PRIMARY KEY (bucket_start_utc, service, level)
);

CREATE TABLE IF NOT EXISTS latency_histogram_hour (
    bucket_start_utc TEXT NOT NULL,
    service          TEXT NOT NULL,
    count            INTEGER NOT NULL,
    bins             TEXT NOT NULL,
    PRIMARY KEY (bucket_start_utc, service)
);

CREATE TABLE IF NOT EXISTS error_hour (
    bucket_start_utc TEXT NOT NULL,
    service          TEXT NOT NULL,
    fingerprint      INTEGER NOT NULL,
    count            INTEGER NOT NULL,
    first_seen_utc   TEXT NOT NULL,
    last_seen_utc    TEXT NOT NULL,
    PRIMARY KEY (bucket_start_utc, service, fingerprint)
);

DELETE FROM volume_hour;
INSERT INTO volume_hour (bucket_start_utc, service, level, count, bytes)
SELECT strftime('%Y-%m-%d %H:00:00', bucket_start_utc), service, level, SUM(count), SUM(bytes)
FROM volume_minute GROUP BY 1, service, level;

DELETE FROM latency_histogram_hour;
INSERT INTO latency_histogram_hour (bucket_start_utc, service, count, bins)
SELECT hour, service, SUM(c), group_concat(bin || ':' || c, ',')
FROM (SELECT strftime('%Y-%m-%d %H:00:00', bucket_start_utc) AS hour, service, bin, SUM(count) AS c
      FROM latency_histogram_minute GROUP BY 1, service, bin)
GROUP BY hour, service;

DELETE FROM error_hour;
INSERT INTO error_hour (bucket_start_utc, service, fingerprint, count, first_seen_utc, last_seen_utc)
SELECT strftime('%Y-%m-%d %H:00:00', timestamp_utc), service, fingerprint, COUNT(*), MIN(timestamp_utc), MAX(timestamp_utc)
FROM log_events WHERE fingerprint IS NOT NULL GROUP BY 1, service, fingerprint;
