-- The problems of month $1 (view problems, V7), each to be given a
-- responsible department, an owner and a due date by csat.
SELECT origin, item_id, strftime(happened_on, '%Y-%m-%d') AS happened_on, category, department, severity
FROM problems
WHERE month = $1 AND NOT excluded
ORDER BY happened_on, origin, item_id;
