-- The answer cells (month × channel × dealer × region × question: count,
-- sum and sum of squares) of the months a report compares ($1 the report
-- month, $2 the month before, $3 the same month a year earlier), into
-- report_group_cells (V27); the store empties it first.
-- report_group_scores.sql reads them.
INSERT INTO report_group_cells
SELECT * FROM group_cells_in([$1, $2, $3]);
