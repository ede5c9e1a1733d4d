-- The group scores a report reads, from the group views (V16), into
-- report_group_scores (V17); the store empties it first. Every dimension for
-- $1 the report month, $2 the month before and $3 the same month a year
-- earlier; then the company alone for the other months from $4 to $1 (the
-- trend). Two selects, not one with an OR of the two filters: each filter
-- reaches the branches of the views' unions on its own (with the OR, DuckDB
-- ran out of its 192 MB at ten million answers).
INSERT INTO report_group_scores
SELECT * FROM group_scores WHERE month IN ($1, $2, $3)
UNION ALL
SELECT * FROM group_scores
WHERE dimension = 'company'
  AND month BETWEEN $4 AND $1
  AND month NOT IN ($1, $2, $3);
