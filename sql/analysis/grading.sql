-- Customer grading (客户分级, SPEC "Customer grading").
--
-- Grain: one row per customer in the customer master who started on or
-- before the as-of date.
-- Inputs: customer_measures and criterion_points (V8 macros), grading
-- mirrors, grading history, answers/responses/complaints for at-risk.
-- Parameters: $1 as-of date; $2 minimum margin rate (%) of an on-margin
-- month; $3, $4, $5 the shares (%) of A, B, C; $6 months of business before
-- a customer is graded; $7 the grade of a provisional customer; $8 late
-- payments in one quarter that move payment terms down; $9 method ('score'
-- or 'thresholds'); $10 the grade below every threshold; $11 the
-- satisfaction (%) under which a customer is at risk.
--
-- score = Σ weight · points / 100, rounded to 2 decimals before ranking.
-- Grades by rank among established customers: A when fewer than $3 % of
-- them score strictly higher, B under $3 + $4 %, C under $3 + $4 + $5 %,
-- else D; equal scores share a grade. Thresholds method: the first grade
-- whose minimum monthly orders and on-margin share the customer reaches.
-- Payment terms: one grade below the grade (D stays D) with $8 or more late
-- payments in this or the last calendar quarter. Old grade: the latest
-- earlier grading run, else the customer master's grade.
-- At risk: satisfaction M below $11 over the three months up to as-of (the
-- customer's own answers by id, or its customers' as the dealer named), or
-- a complaint received by as-of and not closed by then.
WITH measures AS (
    SELECT * FROM customer_measures(CAST($1 AS DATE), $2)
),
totals AS (
    SELECT customer_id, round(sum(weight * points ORDER BY position) / 100, 2) AS score
    FROM criterion_points(CAST($1 AS DATE), $2)
    GROUP BY customer_id
),
base AS (
    SELECT m.*,
           t.score,
           m.months_of_business < $6 AS provisional
    FROM measures AS m
    LEFT JOIN totals AS t USING (customer_id)
),
ranked AS (
    SELECT *,
           CASE WHEN NOT provisional
                THEN rank() OVER (PARTITION BY provisional ORDER BY coalesce(score, 0) DESC) END AS rank,
           count(*) FILTER (WHERE NOT provisional) OVER () AS n_established
    FROM base
),
graded AS (
    SELECT *,
           CASE
               WHEN provisional THEN $7
               WHEN $9 = 'thresholds' THEN coalesce(
                   (SELECT arg_min(t.grade, t.position) FROM grading_thresholds AS t
                    WHERE monthly_orders >= t.min_monthly_orders
                      AND on_margin_share >= t.min_on_margin_share),
                   $10)
               WHEN rank - 1 < $3 / 100 * n_established THEN 'A'
               WHEN rank - 1 < ($3 + $4) / 100 * n_established THEN 'B'
               WHEN rank - 1 < ($3 + $4 + $5) / 100 * n_established THEN 'C'
               ELSE 'D'
           END AS grade
    FROM ranked
),
previous AS (
    -- The latest run before this day.
    SELECT customer_id, grade FROM latest_grades(CAST($1 AS DATE) - 1)
),
customer_items AS (
    SELECT coalesce(r.customer_id, c.customer_id) AS customer_id,
           a.question_key,
           CAST(sum(CAST(a.value AS DECIMAL(18, 4))) AS DOUBLE) / count(*) AS q_mean,
           any_value(q.scale_max) AS q_max
    FROM answers AS a
    JOIN responses AS r ON r.file_id = a.file_id AND r.row_number = a.response_row
    JOIN question_map AS q ON q.question_key = a.question_key
    LEFT JOIN customers_current AS c ON c.name = r.dealer
    WHERE r.superseded_by IS NULL
      AND a.value IS NOT NULL
      AND r.submitted_at < CAST($1 AS DATE) + INTERVAL 1 DAY
      AND r.submitted_at >= CAST($1 AS DATE) - INTERVAL 3 MONTH
    GROUP BY ALL
),
dissatisfied AS (
    SELECT customer_id
    FROM customer_items
    WHERE customer_id IS NOT NULL
    GROUP BY customer_id
    -- SPEC "Scores": M by macro satisfaction_m (V14).
    HAVING satisfaction_m(sum(q_mean ORDER BY question_key), sum(q_max ORDER BY question_key)) < $11
),
open_complaints AS (
    SELECT DISTINCT customer_id
    FROM complaints_current
    WHERE customer_id IS NOT NULL
      AND received_on <= CAST($1 AS DATE)
      AND (closed_on IS NULL OR closed_on > CAST($1 AS DATE))
)
SELECT g.customer_id,
       g.name,
       g.customer_type,
       g.months_of_business,
       g.score,
       g.rank,
       g.grade,
       coalesce(p.grade, nullif(trim(g.master_grade), '')) AS old_grade,
       terms_grade(g.grade, g.late_in_a_quarter, $8) AS payment_terms_grade,
       g.provisional,
       d.customer_id IS NOT NULL AS dissatisfied,
       o.customer_id IS NOT NULL AS open_complaint,
       g.late_in_a_quarter,
       g.monthly_orders,
       g.on_margin_share,
       g.n_established
FROM graded AS g
LEFT JOIN previous AS p USING (customer_id)
LEFT JOIN dissatisfied AS d USING (customer_id)
LEFT JOIN open_complaints AS o USING (customer_id)
ORDER BY g.score DESC NULLS LAST, g.customer_id;
