-- Recent scheduled runs, as the scheduler plans from them (times in UTC).
--
-- Grain: one row per recorded run of a scheduled tick.
-- Inputs: job_runs. Parameters: $1 the earliest tick date wanted.
SELECT job,
       strftime(scheduled_for, '%Y-%m-%d %H:%M:%S') AS scheduled_for,
       strftime(finished_at, '%Y-%m-%d %H:%M:%S')   AS finished_at,
       outcome
FROM job_runs
WHERE scheduled_for IS NOT NULL AND scheduled_for >= $1
