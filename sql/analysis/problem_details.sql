-- The problems of month $1 as of $2 that 问题清单 does not list one by one:
-- per responsible department those past the first $3 in the order of
-- problem_items.sql, for the departments' detail workbooks. Read in
-- batches (the list can run to millions of rows).
--
-- Grain: one row per problem (macro report_problem_items, V18).
-- Order: departments as configured (unowned last), then rank.
WITH ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY coalesce(department, '')
                              ORDER BY coalesce(severity, 9), closed, due_on, happened_on, origin, item_id) AS rank
    FROM report_problem_items($1, $2)
)
SELECT r.origin,
       r.item_id,
       r.happened_on,
       r.category,
       coalesce(r.department, '') AS department,
       r.severity,
       r.plan_owner,
       r.due_on,
       r.closed,
       r.plan_status,
       r.rank
FROM ranked AS r
LEFT JOIN departments AS d ON d.department = r.department
WHERE r.rank > $3
ORDER BY coalesce(d.position, 2147483647), coalesce(r.department, ''), r.rank;
