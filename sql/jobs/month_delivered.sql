-- Whether a month's full report reached any recipient (the deadline check).
--
-- Grain: one row, the number of successful full deliveries.
-- Inputs: deliveries. Parameters: $1 the month (YYYY-MM).
SELECT count(*) AS n
FROM deliveries
WHERE month = $1 AND kind = 'full' AND ok
