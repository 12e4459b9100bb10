-- LogPipeline store, version 7 (SQLite). Five-minute rollups of volume and latency, written by the
-- processor in the transaction that writes their minutes, like the hourly ones (version 5): the
-- stats routes' default bucket (5m, over up to 7 days) then reads 2,016 rows per service and level
-- instead of 10,080 minute rows, and 2,016 packed histograms per service instead of a row per minute
-- and bin (bench --queries: 7 days of 5m latency read ~7 s from the minutes). Each row holds exactly
-- the sums of its five minute rows. Filled here from the minutes the store already holds.
CREATE TABLE IF NOT EXISTS volume_5m (
    bucket_start_utc TEXT NOT NULL,
    service          TEXT NOT NULL,
    level            INTEGER NOT NULL,
    count            INTEGER NOT NULL,
    bytes            INTEGER NOT NULL,
    PRIMARY KEY (bucket_start_utc, service, level)
);

CREATE TABLE IF NOT EXISTS latency_histogram_5m (
    bucket_start_utc TEXT NOT NULL,
    service          TEXT NOT NULL,
    count            INTEGER NOT NULL,
    bins             TEXT NOT NULL,
    PRIMARY KEY (bucket_start_utc, service)
);

-- A minute's start floored to its five minutes, in the store's text form ('yyyy-MM-dd HH:mm:ss').
DELETE FROM volume_5m;
INSERT INTO volume_5m (bucket_start_utc, service, level, count, bytes)
SELECT strftime('%Y-%m-%d %H:', bucket_start_utc) || printf('%02d', CAST(strftime('%M', bucket_start_utc) AS INTEGER) / 5 * 5) || ':00',
       service, level, SUM(count), SUM(bytes)
FROM volume_minute GROUP BY 1, service, level;

DELETE FROM latency_histogram_5m;
INSERT INTO latency_histogram_5m (bucket_start_utc, service, count, bins)
SELECT five, service, SUM(c), group_concat(bin || ':' || c, ',')
FROM (SELECT strftime('%Y-%m-%d %H:', bucket_start_utc) || printf('%02d', CAST(strftime('%M', bucket_start_utc) AS INTEGER) / 5 * 5) || ':00' AS five,
             service, bin, SUM(count) AS c
      FROM latency_histogram_minute GROUP BY 1, service, bin)
GROUP BY five, service;
