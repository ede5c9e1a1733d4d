-- The criterion points of the latest grading run before $1 (for the reasons
-- of a grade change). Parameters: $1 as-of date.
SELECT s.customer_id, s.criterion, s.points
FROM grading_criterion_scores AS s
WHERE s.run_id = (SELECT run_id FROM grading_runs
                  WHERE as_of < CAST($1 AS DATE)
                  ORDER BY as_of DESC, run_id DESC
                  LIMIT 1)
ORDER BY s.customer_id, s.criterion;
