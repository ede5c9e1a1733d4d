-- The group scores of every dimension in the months a report compares ($1
-- the report month, $2 the month before, $3 the same month a year earlier),
-- from the group views (V16, V19), into report_group_scores (V17); the store
-- empties it first.
INSERT INTO report_group_scores
SELECT * FROM group_scores WHERE month IN ($1, $2, $3);
