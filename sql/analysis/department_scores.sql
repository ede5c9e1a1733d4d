-- Department satisfaction against target (SPEC "Scores").
--
-- Grain: one row per configured department, in configuration order.
-- Inputs: item_scores (V3), departments, department_targets.
-- Parameters: $1 report month, $2 the month before, $3 the same month a year
-- earlier (all 'YYYY-MM').
--
-- A department's score is M over the questions attributed to it; met is
-- score >= target; a NULL score (no answers) leaves met NULL. The sums run in
-- question order, so the figures are bit-for-bit repeatable.
WITH dept AS (
    SELECT month,
           department,
           sum(q_mean ORDER BY question_key) / sum(q_max ORDER BY question_key) * 100 AS score,
           CAST(sum(n_answers) AS BIGINT) AS n_answers
    FROM item_scores
    WHERE month IN ($1, $2, $3)
    GROUP BY month, department
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
       cur.score - ly.score        AS change_last_year
FROM departments AS d
LEFT JOIN dept AS cur  ON cur.department = d.department AND cur.month = $1
LEFT JOIN dept AS prev ON prev.department = d.department AND prev.month = $2
LEFT JOIN dept AS ly   ON ly.department = d.department AND ly.month = $3
LEFT JOIN department_targets AS t ON t.department = d.department AND t.month = $1
ORDER BY d.position;
