-- Company satisfaction per month (SPEC "Scores").
--
-- Grain: one row per month in [$1, $2] that has answers.
-- Inputs: report_group_scores (V17: the company's group_scores of the
-- months from $1 to $2, computed once for the report by
-- store::Store::snapshot_group_scores).
-- Parameters: $1 first month 'YYYY-MM', $2 last month 'YYYY-MM'.
--
-- M = Σ q_i / Σ max_i × 100 over the month's mapped questions, which mixes
-- scales correctly (5-point, 0–10, …); n_responses counts respondents with at
-- least one scored answer.
SELECT month, score AS satisfaction, n_answers, n_responses
FROM report_group_scores
WHERE dimension = 'company'
  AND month BETWEEN $1 AND $2
ORDER BY month;
