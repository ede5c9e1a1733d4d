-- Company satisfaction per month (SPEC "Scores").
--
-- Grain: one row per month in [$1, $2] that has answers.
-- Inputs: item_scores (V3), responses (rows not superseded by a re-export).
-- Parameters: $1 first month 'YYYY-MM', $2 last month 'YYYY-MM'.
--
-- M = Σ q_i / Σ max_i × 100 over the month's mapped questions, which mixes
-- scales correctly (5-point, 0–10, …). The sums run in question order so the
-- result does not depend on parallel execution.
WITH respondents AS (
    SELECT month, count(*) AS n_responses
    FROM responses
    WHERE month BETWEEN $1 AND $2
      AND superseded_by IS NULL
    GROUP BY month
)
SELECT i.month,
       sum(i.q_mean ORDER BY i.question_key) / sum(i.q_max ORDER BY i.question_key) * 100 AS satisfaction,
       CAST(sum(i.n_answers) AS BIGINT) AS n_answers,
       any_value(p.n_responses)         AS n_responses
FROM item_scores AS i
JOIN respondents AS p ON p.month = i.month
WHERE i.month BETWEEN $1 AND $2
GROUP BY i.month
ORDER BY i.month;
