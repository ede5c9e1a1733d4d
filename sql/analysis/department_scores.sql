-- Department satisfaction against target (SPEC "Scores").
--
-- Grain: one row per configured department, in configuration order.
-- Inputs: report_group_scores (V17: group_scores of the three months), departments, department_targets.
-- Parameters: $1 report month, $2 the month before, $3 the same month a year
-- earlier (all 'YYYY-MM'); $4 the minimum number of respondents for a score
-- to be shown ([scores] min_n).
--
-- A department's score is M over the questions attributed to it; met is
-- score >= target; a NULL score (no answers) leaves met NULL. Whether a
-- change is significant comes from group_scores.sql (same groups).
-- The three months were computed once for the report (report_group_scores).
WITH dept AS (
    SELECT month, group_key AS department, score, n_answers, n_responses
    FROM report_group_scores
    WHERE dimension = 'department' AND month IN ($1, $2, $3)
)
SELECT d.department,
       d.name,
       cur.score,
       coalesce(cur.n_answers, 0)  AS n_answers,
       t.target,
       cur.score - t.target        AS gap,
       cur.score >= t.target       AS met,
       prev.score                  AS previous_score,
       cur.score - prev.score      AS change_previous,
       ly.score                    AS last_year_score,
       cur.score - ly.score        AS change_last_year,
       coalesce(cur.n_responses, 0) AS n_responses,
       -- SPEC "Scores" (min_n): fewer respondents than $4 are shown as "n too small".
       coalesce(cur.n_responses, 0) < $4 AS too_small
FROM departments AS d
LEFT JOIN dept AS cur  ON cur.department = d.department AND cur.month = $1
LEFT JOIN dept AS prev ON prev.department = d.department AND prev.month = $2
LEFT JOIN dept AS ly   ON ly.department = d.department AND ly.month = $3
LEFT JOIN department_targets AS t ON t.department = d.department AND t.month = $1
ORDER BY d.position;
