-- The sources with data in month $1 (for the readiness check before a
-- report is delivered).
SELECT DISTINCT f.source
FROM file_months AS m
JOIN files AS f USING (file_id)
WHERE m.month = $1 AND NOT m.superseded
ORDER BY f.source;
