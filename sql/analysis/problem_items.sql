-- The problems of month $1 as of $2 listed one by one on 问题清单: per
-- responsible department the first $3 (most severe first: complaint
-- severity 1, 2, 3, then other problems; open before closed; earliest due
-- first, so the most overdue lead; then date, origin, id).
--
-- Grain: one row per problem (macro report_problem_items, V18); rank is its
-- place in its department, n_department the department's problems (those
-- past $3 go to the department's detail workbook: problem_details.sql).
-- Order: departments as configured (unowned last), then rank.
WITH ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY coalesce(department, '')
                              ORDER BY coalesce(severity, 9), closed, due_on, happened_on, origin, item_id) AS rank,
           count(*) OVER (PARTITION BY coalesce(department, '')) AS n_department
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
       r.rank,
       r.n_department
FROM ranked AS r
LEFT JOIN departments AS d ON d.department = r.department
WHERE r.rank <= $3
ORDER BY coalesce(d.position, 2147483647), coalesce(r.department, ''), r.rank;
