-- V24: answers found by their response's row, and files saying whether a
-- response can answer a question twice.
--
-- An answer no longer carries its response's id. Since V16 every
-- query finds an answer's response by the integer key (file_id,
-- response_row); the id, a text unique to each response, was stored again
-- with each of its answers (2 million at a 2M-answer month) only for the
-- problems view, which joined on it. Writing, compressing and checkpointing
-- that column was the costliest string of the ingest. The view now joins on
-- the integer key, as every other query does, and the column goes.
CREATE OR REPLACE VIEW problems AS
WITH raw AS (
    SELECT strftime(c.received_on, '%Y-%m') AS month,
           'complaint' AS origin,
           c.complaint_id AS item_id,
           c.received_on AS happened_on,
           complaint_category(c.root_cause, c.category) AS record_category,
           NULL AS question_category,
           (SELECT min(k.position) FROM keyword_rules AS k
            WHERE contains(coalesce(c.description, ''), k.keyword)) AS rule_position,
           c.department,
           c.severity,
           excluded_complaint(c.status) AS excluded
    FROM complaints_current AS c
    UNION ALL
    SELECT r.month,
           'answer',
           r.response_id || ' / ' || a.question_key,
           CAST(r.submitted_at AS DATE),
           NULL,
           q.category,
           NULL,
           q.department,
           NULL,
           false
    FROM answers AS a
    JOIN responses AS r ON r.file_id = a.file_id AND r.row_number = a.response_row
    JOIN question_map AS q ON q.question_key = a.question_key
    WHERE r.superseded_by IS NULL
      AND a.value <= q.low_max
    UNION ALL
    SELECT strftime(c.called_at, '%Y-%m'),
           'callback',
           c.callback_id,
           CAST(c.called_at AS DATE),
           NULL,
           NULL,
           (SELECT min(k.position) FROM keyword_rules AS k WHERE contains(c.remark, k.keyword)),
           NULL,
           NULL,
           false
    FROM callbacks AS c
    WHERE c.reached
      AND c.superseded_by IS NULL
      AND NOT no_problem(c.remark)
)
SELECT raw.month,
       raw.origin,
       raw.item_id,
       raw.happened_on,
       coalesce(raw.record_category, raw.question_category, k.category, '未分类') AS category,
       CASE WHEN raw.record_category IS NOT NULL THEN 'record'
            WHEN raw.question_category IS NOT NULL THEN 'question'
            WHEN k.category IS NOT NULL THEN 'keyword'
            ELSE 'none' END AS categorised_by,
       CASE WHEN raw.record_category IS NULL AND raw.question_category IS NULL
            THEN raw.rule_position END AS rule_position,
       coalesce(raw.department, k.department) AS department,
       raw.severity,
       raw.excluded,
       coalesce(w.weight, 1) AS weight
FROM raw
LEFT JOIN keyword_rules AS k ON k.position = raw.rule_position
LEFT JOIN problem_weights AS w ON w.severity = coalesce(raw.severity, 0);

ALTER TABLE answers DROP COLUMN response_id;

-- Whether the file maps two of its columns to one question (a response can
-- then hold two answers to it, which the key drivers average). NULL for the
-- files stored before V24: not known, so treated as true.
ALTER TABLE files ADD COLUMN repeats_questions BOOLEAN;
