-- Customer comments of the report month and the month before (客户原声):
-- free-text survey answers in comment columns, remarks on reached callbacks
-- and complaint descriptions, as written (placeholders such as 无 are
-- dropped later, with the topics, in analysis/comments.rs).
--
-- Grain: one row per month, origin and comment text (non-blank) of month $1
-- or $2, with how many comments say it (n), in the order each text first
-- appears (by month, origin — survey, callback, complaint — date, file and
-- item): a month's 200,000 callback remarks are a few hundred texts, and
-- counting them here rather than streaming each to csat took 0.27 s → 0.06 s
-- at 2M answers.
-- Inputs: answers and responses (not superseded), callbacks (reached, not
-- superseded), complaints_current (excluded complaints left out: macro
-- excluded_complaint, V14).
-- Parameters: $1 the month before, $2 the report month, $3 the texts that
-- make an unmapped survey column a comment column, one per line (a column
-- is one when its header contains a text, case-insensitive).
-- Comments are cut at 1,000 characters, so a month's comments stay small.
WITH patterns AS (
    SELECT pattern
    FROM (SELECT unnest(string_split(lower($3), chr(10))) AS pattern)
    WHERE pattern <> ''
),
comments AS (
    SELECT r.month,
           'survey' AS origin,
           r.response_id AS item_id,
           CAST(r.submitted_at AS DATE) AS happened_on,
           a.file_id,
           a.raw_text AS comment
    FROM answers AS a
    JOIN responses AS r ON r.file_id = a.file_id AND r.row_number = a.response_row
    WHERE a.question_key IS NULL
      AND r.superseded_by IS NULL
      AND r.month IN ($1, $2)
      AND EXISTS (SELECT 1 FROM patterns AS p
                  WHERE contains(lower(a.question_text), p.pattern))
    UNION ALL
    SELECT strftime(c.called_at, '%Y-%m'),
           'callback',
           c.callback_id,
           CAST(c.called_at AS DATE),
           c.file_id,
           c.remark
    FROM callbacks AS c
    WHERE c.reached
      AND c.superseded_by IS NULL
      AND strftime(c.called_at, '%Y-%m') IN ($1, $2)
    UNION ALL
    SELECT strftime(c.received_on, '%Y-%m'),
           'complaint',
           c.complaint_id,
           c.received_on,
           c.file_id,
           c.description
    FROM complaints_current AS c
    WHERE strftime(c.received_on, '%Y-%m') IN ($1, $2)
      AND NOT excluded_complaint(c.status)
)
SELECT month,
       origin,
       left(trim(comment), 1000) AS comment,
       count(*) AS n
FROM comments
WHERE nullif(trim(comment), '') IS NOT NULL
GROUP BY month, origin, left(trim(comment), 1000)
-- A text's first appearance; two texts of one item (two comment columns)
-- in text order.
ORDER BY month,
         min((CASE origin WHEN 'survey' THEN 0 WHEN 'callback' THEN 1 ELSE 2 END,
              happened_on, file_id, item_id)),
         comment;
