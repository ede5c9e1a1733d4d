-- The respondents of every group in the months a report compares ($1 the
-- report month, $2 the month before, $3 the same month a year earlier), from
-- the view group_respondents (V16, V19), into report_group_respondents (V20);
-- the store empties it first. report_group_scores.sql reads them.
INSERT INTO report_group_respondents
SELECT * FROM group_respondents WHERE month IN ($1, $2, $3);
