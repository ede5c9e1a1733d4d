-- The latest run of every job, for `csat status` (times in UTC).
--
-- Grain: one row per job that has run.
-- Inputs: job_runs. Parameters: none.
SELECT job,
       strftime(started_at, '%Y-%m-%d %H:%M:%S')    AS started_at,
       strftime(finished_at, '%Y-%m-%d %H:%M:%S')   AS finished_at,
       outcome,
       message,
       strftime(scheduled_for, '%Y-%m-%d %H:%M:%S') AS scheduled_for
FROM (
    SELECT *, row_number() OVER (PARTITION BY job ORDER BY started_at DESC, finished_at DESC) AS rn
    FROM job_runs
)
WHERE rn = 1
ORDER BY job;
