-- The group scores of the months a report reads ($1 report month, $2 the
-- month before, $3 the same month a year earlier), from the group views
-- (V16), into report_group_scores (V17); the store empties it first.
INSERT INTO report_group_scores
SELECT * FROM group_scores WHERE month IN ($1, $2, $3);
