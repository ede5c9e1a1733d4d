-- The sources with data in month $1 (for the readiness check before a
-- report is delivered): every kind by its own month or date columns
-- (file_months), plus the customer master, which has no month of its own:
-- it is reference data, so any master loaded counts for every month.
SELECT DISTINCT source
FROM (
    SELECT f.source
    FROM file_months AS m
    JOIN files AS f USING (file_id)
    WHERE m.month = $1 AND NOT m.superseded
    UNION ALL
    SELECT source FROM files WHERE kind = 'customer'
)
ORDER BY source;
