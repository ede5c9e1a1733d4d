-- The group scores a report reads, from the group views (V16), into
-- report_group_scores (V17); the store empties it first. Every dimension for
-- $1 the report month, $2 the month before and $3 the same month a year
-- earlier; the company alone for every month from $4 to $1 (the trend).
-- One pass over the answers: the dimension filter reaches each branch of
-- the views' union.
INSERT INTO report_group_scores
SELECT * FROM group_scores
WHERE month BETWEEN $4 AND $1
  AND (dimension = 'company' OR month IN ($1, $2, $3));
