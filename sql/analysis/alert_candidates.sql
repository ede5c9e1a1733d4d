-- What may need an alert at once (SPEC "升级与告警"), as of $1:
-- severity-1 complaints received in the last $2 days (not excluded), and
-- very dissatisfied answers (≤ 20 % of the scale: 1 of 5, 0–2 of 10) in the
-- last $2 days from a customer whose latest grade is A (by customer id, or
-- the dealer named in the response). Overdue items come from the deadline
-- computation, not from here. Dates as text.
WITH latest_grade AS (SELECT * FROM latest_grades(CAST($1 AS DATE)))
SELECT 'complaint-severity-1'                 AS kind,
       'complaint:' || c.complaint_id         AS item,
       strftime(c.received_on, '%Y-%m-%d')    AS on_day,
       coalesce(c.customer_id, '')            AS customer,
       coalesce(complaint_category(c.root_cause, c.category), '') AS category,
       coalesce(c.department, '')             AS department,
       coalesce(c.description, '')            AS detail,
       coalesce(c.status, '') || '|' || coalesce(strftime(c.closed_on, '%Y-%m-%d'), '') AS state
FROM complaints_current AS c
WHERE c.severity = 1
  AND c.received_on <= CAST($1 AS DATE)
  AND c.received_on > CAST($1 AS DATE) - CAST($2 AS INTEGER)
  AND NOT excluded_complaint(c.status)
UNION ALL
SELECT 'a-grade-very-dissatisfied',
       'response:' || r.file_id || ':' || r.response_id,
       strftime(r.submitted_at, '%Y-%m-%d'),
       cu.customer_id,
       string_agg(q.category, '、' ORDER BY a.question_key),
       string_agg(q.department, '、' ORDER BY a.question_key),
       string_agg(a.question_text || '：' || a.raw_text, '；' ORDER BY a.question_key),
       ''
FROM answers AS a
JOIN responses AS r ON r.file_id = a.file_id AND r.row_number = a.response_row
JOIN question_map AS q ON q.question_key = a.question_key
JOIN customers_current AS cu ON cu.customer_id = r.customer_id OR (r.customer_id IS NULL AND cu.name = r.dealer)
JOIN latest_grade AS lg ON lg.customer_id = cu.customer_id AND lg.grade = 'A'
WHERE r.superseded_by IS NULL
  AND a.value <= q.scale_max * 0.2
  AND CAST(r.submitted_at AS DATE) <= CAST($1 AS DATE)
  AND CAST(r.submitted_at AS DATE) > CAST($1 AS DATE) - CAST($2 AS INTEGER)
GROUP BY r.file_id, r.response_id, r.submitted_at, cu.customer_id
ORDER BY 1, 2;
