-- How many current responses lie in the months of report_company_trend.sql
-- (same parameters): none, and the store skips that statement (it would
-- scan every answer to find nothing).
SELECT count(*) AS n
FROM responses
WHERE superseded_by IS NULL
  AND month BETWEEN $4 AND $1
  AND month NOT IN ($1, $2, $3);
