-- LogPipeline store, version 5 (MariaDB). Hourly rollups, written by the processor in the same
-- transaction as the minute aggregates (and the raw events, for error_hour), so that stats over days
-- and top errors over a week read hundreds of rows, not hundreds of thousands. Each is filled here
-- from what the store already holds (emptied first, so the script is safe to repeat). An hour's rows
-- hold exactly the sums of its minute rows (volume, latency) or of its raw events (errors, late ones
-- included, as the API counts raw events).
--
-- latency_histogram_hour keeps one row per hour and service, its bins packed in text as
-- "bin:count,bin:count" (LatencyHistogram's bins, any order, each bin once; at most 506 bins, about
-- 8 KB): a week of one service is 168 rows instead of ~200 bin rows per hour.
-- error_hour's service compares exactly (nopad_bin), as the API groups top errors.
CREATE TABLE IF NOT EXISTS volume_hour (
    bucket_start_utc DATETIME(6) NOT NULL,
    service          VARCHAR(100) NOT NULL,
    level            TINYINT UNSIGNED NOT NULL,
    count            BIGINT NOT NULL,
    bytes            BIGINT NOT NULL,
    PRIMARY KEY (bucket_start_utc, service, level)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE IF NOT EXISTS latency_histogram_hour (
    bucket_start_utc DATETIME(6) NOT NULL,
    service          VARCHAR(100) NOT NULL,
    count            BIGINT NOT NULL,
    bins             TEXT NOT NULL,
    PRIMARY KEY (bucket_start_utc, service)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE IF NOT EXISTS error_hour (
    bucket_start_utc DATETIME(6) NOT NULL,
    service          VARCHAR(100) COLLATE utf8mb4_nopad_bin NOT NULL,
    fingerprint      BIGINT NOT NULL,
    count            BIGINT NOT NULL,
    first_seen_utc   DATETIME(6) NOT NULL,
    last_seen_utc    DATETIME(6) NOT NULL,
    PRIMARY KEY (bucket_start_utc, service, fingerprint)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

DELETE FROM volume_hour;
INSERT INTO volume_hour (bucket_start_utc, service, level, count, bytes)
SELECT DATE_FORMAT(bucket_start_utc, '%Y-%m-%d %H:00:00'), service, level, SUM(count), SUM(bytes)
FROM volume_minute GROUP BY DATE_FORMAT(bucket_start_utc, '%Y-%m-%d %H:00:00'), service, level;

DELETE FROM latency_histogram_hour;
INSERT INTO latency_histogram_hour (bucket_start_utc, service, count, bins)
SELECT hour, service, SUM(c), GROUP_CONCAT(CONCAT(bin, ':', c) ORDER BY bin SEPARATOR ',')
FROM (SELECT DATE_FORMAT(bucket_start_utc, '%Y-%m-%d %H:00:00') AS hour, service, bin, SUM(count) AS c
      FROM latency_histogram_minute GROUP BY DATE_FORMAT(bucket_start_utc, '%Y-%m-%d %H:00:00'), service, bin) AS h
GROUP BY hour, service;

DELETE FROM error_hour;
INSERT INTO error_hour (bucket_start_utc, service, fingerprint, count, first_seen_utc, last_seen_utc)
SELECT DATE_FORMAT(timestamp_utc, '%Y-%m-%d %H:00:00'), service COLLATE utf8mb4_nopad_bin, fingerprint, COUNT(*), MIN(timestamp_utc), MAX(timestamp_utc)
FROM log_events WHERE fingerprint IS NOT NULL
GROUP BY DATE_FORMAT(timestamp_utc, '%Y-%m-%d %H:00:00'), service COLLATE utf8mb4_nopad_bin, fingerprint;
