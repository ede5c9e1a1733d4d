-- Customer grading, first cut (SPEC "Customer grading"; issue 6 replaces the
-- percentile scoring with the configured eight criteria and thresholds).
--
-- Grain: one row per customer in the customer master.
-- Inputs: customers_current, sales_current, payments_current.
-- Parameters: $1 as-of date.
--
-- Over the 12 months before the as-of date each customer gets five measures:
-- sales amount, gross-margin rate, order count, share of invoices paid by the
-- due date, and years of business. Each measure is turned into its percent
-- rank among customers (0–1); the score is 100 × the weighted mean (weights
-- 30/20/15/20/15). Grades by rank: a customer is A when fewer than 20 % of
-- customers score strictly higher, B under 50 %, C under 90 %, else D, so
-- equal scores share a grade. Customers with under six months of business are
-- provisional.
WITH window_sales AS (
    SELECT customer_id,
           sum(amount)                    AS amount,
           sum(gross_margin) / nullif(sum(amount), 0) AS margin_rate,
           sum(orders)                    AS orders
    FROM sales_current
    WHERE month > strftime($1::DATE - INTERVAL 12 MONTH, '%Y-%m')
      AND month <= strftime($1::DATE, '%Y-%m')
    GROUP BY customer_id
),
window_payments AS (
    SELECT customer_id,
           avg(CASE WHEN paid_on IS NOT NULL AND paid_on <= due_on THEN 1.0
                    WHEN paid_on IS NULL AND due_on >= $1::DATE THEN 1.0
                    ELSE 0.0 END) AS on_time_share,
           count(*) FILTER (WHERE (paid_on > due_on) OR (paid_on IS NULL AND due_on < $1::DATE)) AS n_late
    FROM payments_current
    WHERE due_on > $1::DATE - INTERVAL 12 MONTH AND due_on <= $1::DATE
    GROUP BY customer_id
),
measures AS (
    SELECT c.customer_id,
           c.name,
           c.customer_type,
           c.region,
           coalesce(s.amount, 0)        AS amount,
           coalesce(s.margin_rate, 0)   AS margin_rate,
           coalesce(s.orders, 0)        AS orders,
           coalesce(p.on_time_share, 1) AS on_time_share,
           coalesce(p.n_late, 0)        AS n_late,
           date_diff('month', c.started_on, $1::DATE) AS months_of_business
    FROM customers_current AS c
    LEFT JOIN window_sales AS s USING (customer_id)
    LEFT JOIN window_payments AS p USING (customer_id)
),
scored AS (
    SELECT *,
           100 * (0.30 * percent_rank() OVER (ORDER BY amount)
                + 0.20 * percent_rank() OVER (ORDER BY margin_rate)
                + 0.15 * percent_rank() OVER (ORDER BY orders)
                + 0.20 * percent_rank() OVER (ORDER BY on_time_share)
                + 0.15 * percent_rank() OVER (ORDER BY months_of_business)) AS score
    FROM measures
),
ranked AS (
    SELECT *,
           rank() OVER (ORDER BY round(score, 6) DESC) - 1 AS n_ahead,
           count(*) OVER () AS n_customers
    FROM scored
)
SELECT customer_id,
       name,
       customer_type,
       region,
       round(score, 2) AS score,
       CASE WHEN n_ahead < 0.2 * n_customers THEN 'A'
            WHEN n_ahead < 0.5 * n_customers THEN 'B'
            WHEN n_ahead < 0.9 * n_customers THEN 'C'
            ELSE 'D' END AS grade,
       months_of_business < 6 AS provisional,
       amount,
       n_late
FROM ranked
ORDER BY score DESC, customer_id;
