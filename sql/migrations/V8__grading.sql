-- V8: customer grading (客户分级, SPEC "Customer grading").
--
-- Customer master fields for two criteria and the grade before csat:
-- purchase_share (% of their purchases that are ours), standing (行业地位),
-- grade (the grade the company gave before).
-- Mirrors of the configured rules (replaced before every grading):
-- grading_criteria, grading_bands, grading_categories, grading_thresholds.
-- History: every grading run with its rule version and the rules as JSON,
-- every customer's result and every criterion's value and points, so a past
-- grading can be shown and checked exactly.
-- customer_measures(as_of, min_margin_rate): what the criteria measure, from
-- data dated on or before as_of: 12 months of sales up to as_of's month,
-- invoices due in the 12 months up to as_of, the customer master; months of
-- business are whole months (06-30 → 12-01 is 5).
-- latest_grades(as_of): each customer's grade in the latest run on or before
-- as_of. terms_grade(grade, late, limit): the payment-terms rule — with
-- `limit` or more late payments in a quarter, one grade down (D stays D).
ALTER TABLE customers ADD COLUMN purchase_share DOUBLE;
ALTER TABLE customers ADD COLUMN standing VARCHAR;
ALTER TABLE customers ADD COLUMN grade VARCHAR;

CREATE TABLE grading_criteria (
    position INTEGER NOT NULL,
    key      VARCHAR NOT NULL,
    name     VARCHAR NOT NULL,
    measure  VARCHAR NOT NULL,
    weight   DOUBLE NOT NULL
);
CREATE TABLE grading_bands (key VARCHAR NOT NULL, min_value DOUBLE NOT NULL, points DOUBLE NOT NULL);
CREATE TABLE grading_categories (key VARCHAR NOT NULL, category VARCHAR NOT NULL, points DOUBLE NOT NULL);
CREATE TABLE grading_thresholds (
    position            INTEGER NOT NULL,
    grade               VARCHAR NOT NULL,
    min_monthly_orders  DOUBLE NOT NULL,
    min_on_margin_share DOUBLE NOT NULL
);

CREATE SEQUENCE grading_run_seq START 1;
CREATE TABLE grading_runs (
    run_id       INTEGER PRIMARY KEY,
    as_of        DATE NOT NULL,
    rule_version VARCHAR NOT NULL,
    method       VARCHAR NOT NULL,
    rules        VARCHAR NOT NULL,
    n_customers  INTEGER NOT NULL
);
CREATE TABLE grading_results (
    run_id              INTEGER NOT NULL,
    customer_id         VARCHAR NOT NULL,
    name                VARCHAR NOT NULL,
    customer_type       VARCHAR,
    months_of_business  INTEGER NOT NULL,
    score               DOUBLE,
    rank                INTEGER,
    grade               VARCHAR NOT NULL,
    old_grade           VARCHAR,
    payment_terms_grade VARCHAR NOT NULL,
    provisional         BOOLEAN NOT NULL,
    at_risk             BOOLEAN NOT NULL,
    reasons             VARCHAR NOT NULL
);
CREATE TABLE grading_criterion_scores (
    run_id      INTEGER NOT NULL,
    customer_id VARCHAR NOT NULL,
    criterion   VARCHAR NOT NULL,
    value       DOUBLE,
    text_value  VARCHAR,
    points      DOUBLE NOT NULL
);

CREATE MACRO customer_measures(as_of, min_margin_rate) AS TABLE
WITH window_sales AS (
    SELECT customer_id,
           sum(amount)       AS amount,
           sum(gross_margin) AS margin,
           sum(orders)       AS orders,
           sum(amount) FILTER (WHERE gross_margin * 100 >= min_margin_rate * amount) AS on_margin_amount
    FROM sales_current
    WHERE month > strftime(CAST(as_of AS DATE) - INTERVAL 12 MONTH, '%Y-%m')
      AND month <= strftime(CAST(as_of AS DATE), '%Y-%m')
    GROUP BY customer_id
),
invoices AS (
    SELECT customer_id,
           due_on,
           -- As known on as_of: a payment made later does not count yet.
           coalesce((paid_on <= CAST(as_of AS DATE) AND paid_on > due_on)
                    OR ((paid_on IS NULL OR paid_on > CAST(as_of AS DATE))
                        AND due_on < CAST(as_of AS DATE)), false) AS late
    FROM payments_current
    WHERE due_on > CAST(as_of AS DATE) - INTERVAL 12 MONTH
      AND due_on <= CAST(as_of AS DATE)
),
window_payments AS (
    SELECT customer_id,
           count(*)                   AS n_invoices,
           count(*) FILTER (WHERE late) AS n_late
    FROM invoices
    GROUP BY customer_id
),
-- Late payments in this calendar quarter and the one before (the rule
-- moves payment terms down at once, not at year end).
late_quarters AS (
    SELECT customer_id, max(n) AS late_in_a_quarter
    FROM (SELECT customer_id, date_trunc('quarter', due_on) AS quarter, count(*) AS n
          FROM invoices
          WHERE late
            AND date_trunc('quarter', due_on)
                >= date_trunc('quarter', CAST(as_of AS DATE)) - INTERVAL 3 MONTH
          GROUP BY ALL)
    GROUP BY customer_id
)
SELECT c.customer_id,
       c.name,
       c.customer_type,
       c.standing,
       c.purchase_share,
       c.grade AS master_grade,
       date_sub('month', c.started_on, CAST(as_of AS DATE)) AS months_of_business,
       date_sub('month', c.started_on, CAST(as_of AS DATE)) / 12.0 AS years,
       coalesce(s.amount, 0)  AS sales_amount,
       CASE WHEN s.amount > 0 THEN s.margin / s.amount * 100 END AS margin_rate,
       coalesce(s.orders, 0)  AS orders,
       coalesce(s.amount, 0) / 12 AS monthly_orders,
       CASE WHEN s.amount > 0 THEN coalesce(s.on_margin_amount, 0) / s.amount * 100 ELSE 0 END
                              AS on_margin_share,
       CASE WHEN p.n_invoices > 0 THEN (p.n_invoices - p.n_late) * 100.0 / p.n_invoices END
                              AS payment_on_time,
       coalesce(q.late_in_a_quarter, 0) AS late_in_a_quarter
FROM customers_current AS c
LEFT JOIN window_sales AS s USING (customer_id)
LEFT JOIN window_payments AS p USING (customer_id)
LEFT JOIN late_quarters AS q USING (customer_id)
WHERE c.started_on <= CAST(as_of AS DATE);

-- Every customer's value and points (0–100) on every configured criterion:
-- numeric measures take the points of the highest band minimum they reach
-- (0 below all bands, or when the value is missing); text measures the
-- points of their category (0 when not listed).
CREATE MACRO criterion_points(as_of, min_margin_rate) AS TABLE
WITH long AS (
    SELECT m.customer_id,
           c.position,
           c.key,
           c.name,
           c.measure,
           c.weight,
           CASE c.measure
               WHEN 'sales_amount'    THEN m.sales_amount
               WHEN 'payment_on_time' THEN m.payment_on_time
               WHEN 'margin_rate'     THEN m.margin_rate
               WHEN 'orders'          THEN CAST(m.orders AS DOUBLE)
               WHEN 'purchase_share'  THEN m.purchase_share
               WHEN 'years'           THEN m.years
           END AS value,
           CASE c.measure
               WHEN 'customer_type' THEN m.customer_type
               WHEN 'standing'      THEN m.standing
           END AS text_value
    FROM customer_measures(as_of, min_margin_rate) AS m
    CROSS JOIN grading_criteria AS c
)
SELECT long.*,
       coalesce(
           CASE WHEN long.measure IN ('customer_type', 'standing')
                THEN (SELECT max(g.points) FROM grading_categories AS g
                      WHERE g.key = long.key AND g.category = trim(long.text_value))
                ELSE (SELECT arg_max(b.points, b.min_value) FROM grading_bands AS b
                      WHERE b.key = long.key AND long.value >= b.min_value)
           END, 0) AS points
FROM long;

CREATE MACRO latest_grades(as_of) AS TABLE
SELECT r.customer_id,
       arg_max(r.grade, epoch(g.as_of) * 1000000 + g.run_id) AS grade,
       max(g.as_of) AS graded_on
FROM grading_results AS r
JOIN grading_runs AS g USING (run_id)
WHERE g.as_of <= CAST(as_of AS DATE)
GROUP BY r.customer_id;

CREATE MACRO terms_grade(grade, late, late_limit) AS
    CASE WHEN late >= late_limit
         THEN CASE grade WHEN 'A' THEN 'B' WHEN 'B' THEN 'C' ELSE 'D' END
         ELSE grade END;
