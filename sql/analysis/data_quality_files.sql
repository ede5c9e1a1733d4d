-- Files behind month $1's report: every file with data in the month (see the
-- file_months view) and every file loaded during it (the customer master,
-- files whose rows all fell in other months). Rows refused per file, and
-- rows a later export superseded.
WITH in_month AS (
    SELECT file_id,
           count(*) FILTER (WHERE NOT superseded) AS n_rows_in_month,
           count(*) FILTER (WHERE superseded)     AS n_superseded
    FROM file_months
    WHERE month = $1
    GROUP BY file_id
)
SELECT f.file_name,
       f.source,
       f.kind,
       strftime(f.loaded_on, '%Y-%m-%d') AS loaded_on,
       f.n_rows,
       f.n_loaded,
       f.n_rejected,
       coalesce(m.n_rows_in_month, 0) AS n_rows_in_month,
       coalesce(m.n_superseded, 0)    AS n_superseded
FROM files AS f
LEFT JOIN in_month AS m USING (file_id)
WHERE m.file_id IS NOT NULL OR strftime(f.loaded_on, '%Y-%m') = $1
ORDER BY f.file_name, f.file_id;
