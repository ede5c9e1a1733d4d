-- Every customer's value and points on every grading criterion as of $1
-- (macro criterion_points, migration V8), in criterion order.
-- Parameters: $1 as-of date, $2 minimum gross-margin rate (%) of an
-- on-margin month.
SELECT customer_id, key, name, value, text_value, points, weight
FROM criterion_points(CAST($1 AS DATE), $2)
ORDER BY customer_id, position;
