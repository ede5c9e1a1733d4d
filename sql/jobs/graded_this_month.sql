-- The latest grading of a month, if any: the `regrade` job runs on several
-- days so downtime cannot skip it, and only the first run grades.
--
-- Grain: one row (NULL when the month has no grading).
-- Inputs: grading_runs. Parameters: $1 the month (YYYY-MM).
SELECT strftime(max(as_of), '%Y-%m-%d') AS as_of
FROM grading_runs
WHERE strftime(as_of, '%Y-%m') = $1
