-- The problem list (问题清单) in aggregate: one row per responsible
-- department × category × origin of month $1's problems as of $2
-- (macro report_problem_items, V18), at most $3 rows (n_groups says how many
-- there are in all).
--
-- Grain: (department, category, origin); department '' when no department
-- owns the problems. n: problems; n_open: not closed; n_overdue: not closed
-- and due before $2; oldest_open_due: the earliest due date of the open
-- ones; plan_owner: the action plans' owner when they all name the same.
-- Order: departments as configured (unowned last), then count descending,
-- category, origin.
WITH grouped AS (
    SELECT coalesce(i.department, '') AS department,
           i.category,
           i.origin,
           count(*) AS n,
           count(*) FILTER (WHERE NOT i.closed) AS n_open,
           count(*) FILTER (WHERE NOT i.closed AND i.due_on < CAST($2 AS DATE)) AS n_overdue,
           min(i.due_on) FILTER (WHERE NOT i.closed) AS oldest_open_due,
           CASE WHEN min(i.plan_owner) = max(i.plan_owner) THEN min(i.plan_owner) END AS plan_owner
    FROM report_problem_items($1, $2) AS i
    GROUP BY ALL
)
SELECT g.department,
       g.category,
       g.origin,
       g.n,
       g.n_open,
       g.n_overdue,
       g.oldest_open_due,
       g.plan_owner,
       count(*) OVER () AS n_groups
FROM grouped AS g
LEFT JOIN departments AS d ON d.department = g.department
ORDER BY coalesce(d.position, 2147483647), g.department, g.n DESC, g.category, g.origin
LIMIT $3;
