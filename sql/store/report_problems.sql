-- The problems of the months a report reads ($1 report month, $2 the month
-- before), from the problems view (V7, V14), into report_problems (V18);
-- the store empties it first.
INSERT INTO report_problems
SELECT * FROM problems WHERE month IN ($1, $2);
