-- The respondents of every group in the months a report compares ($1 the
-- report month, $2 the month before, $3 the same month a year earlier), and
-- the report month's respondents by score bin (dimension 'score_bin', read
-- by respondent_distribution.sql), into report_group_respondents (V20); the
-- store empties it first. report_group_scores.sql reads them. Who counts:
-- macro report_respondents_in (V28), group_respondents_in (V21) with the
-- bins.
INSERT INTO report_group_respondents
SELECT * FROM report_respondents_in([$1, $2, $3], $1);
