-- Company satisfaction per month (SPEC "Scores").
--
-- Grain: one row per month in [$1, $2] that has answers.
-- Inputs: responses, answers, question_map.
-- Parameters: $1 first month 'YYYY-MM', $2 last month 'YYYY-MM'.
--
-- Item score q_i = mean of the answered values of question i (no-answers are
-- NULL and excluded, never zero); M = Σ q_i / Σ max_i × 100 over the month's
-- mapped questions, which mixes scales correctly (5-point, 0–10, …).
-- Determinism: values are summed as DECIMAL (exact) and the per-question
-- means in question order, so parallel execution cannot change the last bit.
WITH item AS (
    SELECT r.month,
           a.question_key,
           CAST(sum(CAST(a.value AS DECIMAL(18, 4))) AS DOUBLE) / count(*) AS q_mean,
           any_value(q.scale_max) AS q_max,
           count(*)              AS n_answers
    FROM answers AS a
    JOIN responses AS r ON r.file_id = a.file_id AND r.response_id = a.response_id
    JOIN question_map AS q ON q.question_key = a.question_key
    WHERE r.month BETWEEN $1 AND $2
      AND a.value IS NOT NULL
    GROUP BY r.month, a.question_key
),
respondents AS (
    SELECT month, count(*) AS n_responses
    FROM responses
    WHERE month BETWEEN $1 AND $2
    GROUP BY month
)
SELECT i.month,
       sum(i.q_mean ORDER BY i.question_key) / sum(i.q_max ORDER BY i.question_key) * 100 AS satisfaction,
       CAST(sum(i.n_answers) AS BIGINT)   AS n_answers,
       any_value(p.n_responses)           AS n_responses
FROM item AS i
JOIN respondents AS p ON p.month = i.month
GROUP BY i.month
ORDER BY i.month;
