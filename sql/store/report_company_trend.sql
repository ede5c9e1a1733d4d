-- The company's score in the other months of a report's trend (from $4 to
-- $1, the report month; $2 and $3 are already in report_group_scores, see
-- report_group_scores.sql), over the company respondents
-- trend_respondents.sql wrote first (macro group_scores_over, V20), into
-- report_group_scores. The store runs both only when trend_months.sql finds
-- responses in those months.
INSERT INTO report_group_scores
SELECT * FROM group_scores_over('report_group_respondents')
WHERE dimension = 'company'
  AND month BETWEEN $4 AND $1
  AND month NOT IN ($1, $2, $3);
