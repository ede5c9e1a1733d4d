-- The respondents of every group in the months a report compares ($1 the
-- report month, $2 the month before, $3 the same month a year earlier), into
-- report_group_respondents (V20); the store empties it first.
-- report_group_scores.sql reads them. Who counts: macro group_respondents_in
-- (V21).
INSERT INTO report_group_respondents
SELECT * FROM group_respondents_in([$1, $2, $3]);
