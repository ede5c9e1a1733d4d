-- The group scores of every dimension in the months a report compares ($1
-- the report month, $2 the month before, $3 the same month a year earlier),
-- over the respondents report_group_respondents.sql wrote first (macro
-- group_scores_over, V20: one statement, one hash table of responses at a
-- time), into report_group_scores (V17); the store empties it first.
INSERT INTO report_group_scores
SELECT * FROM group_scores_over('report_group_respondents') WHERE month IN ($1, $2, $3);
