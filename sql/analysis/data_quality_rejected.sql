-- Rows and cells refused while loading the files behind month $1's report
-- (as in data_quality_files.sql), with where they are and what was expected:
-- the first $2, and n_total, how many there are in all.
SELECT r.file_name, r.sheet, r.row_number, r.column_name, r.value, r.expected,
       count(*) OVER () AS n_total
FROM rejected_rows AS r
WHERE r.file_id IN (SELECT file_id FROM file_months WHERE month = $1)
   OR r.file_id IN (SELECT file_id FROM files WHERE strftime(loaded_on, '%Y-%m') = $1)
ORDER BY r.file_name, r.file_id, r.row_number, r.column_name
LIMIT $2;
