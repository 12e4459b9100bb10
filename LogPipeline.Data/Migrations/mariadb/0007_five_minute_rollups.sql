-- LogPipeline store, version 7 (MariaDB). Five-minute rollups of volume and latency, written by the
-- processor in the transaction that writes their minutes, like the hourly ones (version 5): the
-- stats routes' default bucket (5m, over up to 7 days) then reads 2,016 rows per service and level
-- instead of 10,080 minute rows, and 2,016 packed histograms per service instead of a row per minute
-- and bin. Each row holds exactly the sums of its five minute rows. Filled here from the minutes the
-- store already holds (emptied first, so the script is safe to repeat).
CREATE TABLE IF NOT EXISTS volume_5m (
    bucket_start_utc DATETIME(6) NOT NULL,
    service          VARCHAR(100) NOT NULL,
    level            TINYINT UNSIGNED NOT NULL,
    count            BIGINT NOT NULL,
    bytes            BIGINT NOT NULL,
    PRIMARY KEY (bucket_start_utc, service, level)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE IF NOT EXISTS latency_histogram_5m (
    bucket_start_utc DATETIME(6) NOT NULL,
    service          VARCHAR(100) NOT NULL,
    count            BIGINT NOT NULL,
    bins             TEXT NOT NULL,
    PRIMARY KEY (bucket_start_utc, service)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

DELETE FROM volume_5m;
INSERT INTO volume_5m (bucket_start_utc, service, level, count, bytes)
SELECT bucket_start_utc - INTERVAL (MINUTE(bucket_start_utc) % 5) MINUTE, service, level, SUM(count), SUM(bytes)
FROM volume_minute GROUP BY bucket_start_utc - INTERVAL (MINUTE(bucket_start_utc) % 5) MINUTE, service, level;

DELETE FROM latency_histogram_5m;
INSERT INTO latency_histogram_5m (bucket_start_utc, service, count, bins)
SELECT five, service, SUM(c), GROUP_CONCAT(CONCAT(bin, ':', c) ORDER BY bin SEPARATOR ',')
FROM (SELECT bucket_start_utc - INTERVAL (MINUTE(bucket_start_utc) % 5) MINUTE AS five, service, bin, SUM(count) AS c
      FROM latency_histogram_minute GROUP BY bucket_start_utc - INTERVAL (MINUTE(bucket_start_utc) % 5) MINUTE, service, bin) AS f
GROUP BY five, service;
