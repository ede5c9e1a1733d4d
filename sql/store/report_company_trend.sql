-- The company's score in the other months of a report's trend (from $4 to
-- $1, the report month; $2 and $3 are already in report_group_scores, see
-- report_group_scores.sql), from the scores kept for their current inputs
-- (V23: trend_keep.sql has just computed those that were not), into
-- report_group_scores.
INSERT INTO report_group_scores (dimension, group_key, month, score, n_answers, n_responses, pct_variance)
SELECT 'company', '', c.month, c.score, c.n_answers, c.n_responses, c.pct_variance
FROM company_month_scores AS c
JOIN month_inputs($4, $1) AS i ON i.month = c.month AND i.inputs = c.inputs
WHERE c.month NOT IN ($1, $2, $3)
  AND c.n_answers IS NOT NULL;
