-- The company's score in the other months of a report's trend (from $4 to
-- $1, the report month; $2 and $3 are already in report_group_scores, see
-- report_group_scores.sql), into report_group_scores. A second statement,
-- not an OR in the first: with the OR the dimension filter no longer reached
-- the branches of the views' unions and DuckDB ran out of its 192 MB at ten
-- million answers. The store runs it only when trend_months.sql finds
-- responses in those months.
INSERT INTO report_group_scores
SELECT * FROM group_scores
WHERE dimension = 'company'
  AND month BETWEEN $4 AND $1
  AND month NOT IN ($1, $2, $3);
