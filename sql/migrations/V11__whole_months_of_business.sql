-- V11: months of business count whole months (date_sub), not month
-- boundaries crossed (date_diff): a customer who started on 06-30 has 5
-- whole months on 12-01, not 6, and stays provisional. Same macro as V8
-- otherwise.
CREATE OR REPLACE MACRO customer_measures(as_of, min_margin_rate) AS TABLE
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
