-- Department satisfaction against target (SPEC "Scores").
--
-- Grain: one row per configured department, in configuration order.
-- Inputs: responses, answers, question_map, departments, department_targets.
-- Parameters: $1 report month, $2 the month before, $3 the same month a year
-- earlier (all 'YYYY-MM').
--
-- A department's score is M over the questions attributed to it; met is
-- score >= target; NULL score (no answers) leaves met NULL. Sums are exact
-- (DECIMAL) or ordered, so the figures are bit-for-bit repeatable.
WITH item AS (
    SELECT r.month,
           q.department,
           a.question_key,
           CAST(sum(CAST(a.value AS DECIMAL(18, 4))) AS DOUBLE) / count(*) AS q_mean,
           any_value(q.scale_max) AS q_max,
           count(*)               AS n_answers
    FROM answers AS a
    JOIN responses AS r ON r.file_id = a.file_id AND r.response_id = a.response_id
    JOIN question_map AS q ON q.question_key = a.question_key
    WHERE r.month IN ($1, $2, $3)
      AND a.value IS NOT NULL
    GROUP BY r.month, q.department, a.question_key
),
dept AS (
    SELECT month,
           department,
           sum(q_mean ORDER BY question_key) / sum(q_max ORDER BY question_key) * 100 AS score,
           CAST(sum(n_answers) AS BIGINT) AS n_answers
    FROM item
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
