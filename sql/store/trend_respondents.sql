-- The company's respondents in the trend months whose score is computed
-- again ($1, comma-separated: trend_stale_months.sql), into
-- report_group_respondents, for trend_keep.sql.
INSERT INTO report_group_respondents
SELECT * FROM group_respondents_in((
    SELECT list(DISTINCT month) FROM responses
    WHERE superseded_by IS NULL
      AND list_contains(string_split($1, ','), month)))
WHERE dimension = 'company';
