-- Every attempt of one job for one scheduled tick, oldest first (times in UTC):
-- the scheduler's "retry window closed" alert reports them.
--
-- Grain: one row per recorded run.
-- Inputs: job_runs. Parameters: $1 the job, $2 the tick ('%Y-%m-%d %H:%M:%S', UTC).
SELECT outcome,
       message,
       strftime(started_at, '%Y-%m-%d %H:%M:%S')  AS started_at,
       strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished_at
FROM job_runs
WHERE job = $1 AND strftime(scheduled_for, '%Y-%m-%d %H:%M:%S') = $2
ORDER BY finished_at
