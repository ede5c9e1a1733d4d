-- The company's score in the trend months computed again ($1,
-- comma-separated, the first $2 and the last $3), from their answer cells
-- and company respondents (trend_cells.sql, trend_respondents.sql; macro
-- group_scores_of, V27), kept with the inputs they were computed from
-- (V23). A month with responses but no scored answer is kept too, without a
-- score (so it is not computed again at every report);
-- report_company_trend.sql skips it, as the trend always has.
INSERT INTO company_month_scores
SELECT i.month, i.inputs, s.score, s.n_answers, s.n_responses, s.pct_variance
FROM month_inputs($2, $3) AS i
LEFT JOIN (SELECT * FROM group_scores_of('report_group_cells', 'report_group_respondents')
           WHERE dimension = 'company' AND month BETWEEN $2 AND $3) AS s USING (month)
WHERE list_contains(string_split($1, ','), i.month);
