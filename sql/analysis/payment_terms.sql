-- Payment terms at a month's end (SPEC "Customer grading": two or more late
-- payments in one quarter move the payment terms one grade down at once,
-- not at year end).
--
-- Grain: one row per customer graded on or before $1.
-- Inputs: grading history (V8), customer_measures (V8 macro).
-- Parameters: $1 the month's last day; $2 minimum margin rate (%); $3 late
-- payments in this or the last calendar quarter that lower the terms.
-- The grade is the latest recorded grading's; the terms follow one grade
-- lower (D stays D) while the late payments stand.
WITH latest AS (SELECT * FROM latest_grades(CAST($1 AS DATE)))
SELECT l.customer_id,
       m.name,
       l.grade,
       strftime(l.graded_on, '%Y-%m-%d') AS graded_on,
       m.late_in_a_quarter,
       terms_grade(l.grade, m.late_in_a_quarter, $3) AS terms_grade
FROM latest AS l
JOIN customer_measures(CAST($1 AS DATE), $2) AS m USING (customer_id)
ORDER BY m.late_in_a_quarter >= $3 DESC, l.grade, l.customer_id;
