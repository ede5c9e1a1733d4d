-- Whether one recipient already had a month's report of one kind (and
-- department), so `deliver` does not send it twice unless asked to.
--
-- Grain: one row, the number of successful deliveries.
-- Inputs: deliveries. Parameters: $1 month (YYYY-MM), $2 recipient,
-- $3 kind ('full' or 'department'), $4 department key ('' for none).
SELECT count(*) AS n
FROM deliveries
WHERE month = $1 AND recipient = $2 AND kind = $3
  AND coalesce(department, '') = $4 AND ok
