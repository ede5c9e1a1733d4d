-- V18: report_problems: the problems of the two months a report reads (the
-- report month and the month before), written by the report before its
-- queries (sql/store/report_problems.sql), so the problems view runs once
-- per report: five queries read it (pareto, problem_sources, and through
-- report_problem_items problem_groups, problem_items, problem_details), and
-- each run of the view tests every reached callback's remark against every
-- keyword rule (0.15–0.3 s each at two million answers).
CREATE TABLE report_problems AS SELECT * FROM problems LIMIT 0;

-- The problem list (问题清单) item by item: V13's month_problem_items (same
-- rules, see there) over report_problems instead of the problems view; the
-- view's macro is dropped (nothing else read it).
DROP MACRO TABLE month_problem_items;

CREATE MACRO report_problem_items(report_month, today) AS TABLE
WITH items AS (
    SELECT * FROM report_problems WHERE month = report_month AND NOT excluded
),
plans AS (
    SELECT item_id,
           nullif(trim(owner), '') AS owner,
           due_on,
           status,
           lower(trim(status)) IN (SELECT status FROM closed_statuses) AS closed
    FROM action_plans_current
),
complaint_states AS (
    SELECT complaint_id,
           CASE WHEN closed_on IS NOT NULL THEN closed_on <= CAST(today AS DATE)
                ELSE lower(trim(coalesce(status, ''))) IN (SELECT status FROM closed_statuses) END AS closed
    FROM complaints_current
)
SELECT i.origin,
       i.item_id,
       i.happened_on,
       i.category,
       i.department,
       CASE WHEN i.origin = 'complaint' THEN i.severity END AS severity,
       p.owner                                   AS plan_owner,
       coalesce(p.due_on, d.due_on)              AS due_on,
       coalesce(p.closed, c.closed, false)       AS closed,
       p.status                                  AS plan_status
FROM items AS i
LEFT JOIN plans AS p ON p.item_id = i.item_id
LEFT JOIN complaint_states AS c ON i.origin = 'complaint' AND c.complaint_id = i.item_id
LEFT JOIN problem_deadlines AS d
       ON d.happened_on = i.happened_on
      AND d.severity = CASE WHEN i.origin = 'complaint'
                            THEN least(greatest(coalesce(i.severity, 3), 1), 3) ELSE 0 END;
