-- The company's score in the trend months computed again ($1,
-- comma-separated, all between $2 and $3), over the company respondents
-- trend_respondents.sql wrote first (macro group_scores_over, V20), kept
-- with the inputs they were computed from (V23).
INSERT INTO company_month_scores
SELECT s.month, i.inputs, s.score, s.n_answers, s.n_responses, s.pct_variance
FROM group_scores_over('report_group_respondents') AS s
JOIN month_inputs($2, $3) AS i USING (month)
WHERE s.dimension = 'company'
  AND s.month BETWEEN $2 AND $3
  AND list_contains(string_split($1, ','), s.month);
