-- V7: every problem of every month (SPEC "Root-cause ranking"), with its
-- root-cause category, how that category was found, its responsible
-- department and its weight for the severity-weighted ranking.
--
-- Problems: complaints (latest row per id); low answers (value <= the
-- question's low_max: <= 2 of 5, <= 3 on 10/8/6/3/0, NPS detractors 0–6) of
-- responses no re-export superseded; remarks on reached callbacks.
-- Category: the record's root cause, else its complaint category (source
-- 'record'); a low answer's question category (its indicator unless set,
-- 'question'); else the first keyword rule found in the complaint's
-- description or the callback's remark ('keyword'); else 未分类 ('none').
-- Department: the record's, the question's, else the keyword rule's.
-- A complaint whose status is in excluded_statuses is kept, marked excluded.
ALTER TABLE keyword_rules ADD COLUMN department VARCHAR;
CREATE TABLE problem_weights (severity INTEGER NOT NULL, weight DOUBLE NOT NULL);
CREATE TABLE excluded_statuses (status VARCHAR NOT NULL);

CREATE VIEW problems AS
WITH raw AS (
    SELECT strftime(c.received_on, '%Y-%m') AS month,
           'complaint' AS origin,
           c.complaint_id AS item_id,
           c.received_on AS happened_on,
           coalesce(nullif(trim(c.root_cause), ''), nullif(trim(c.category), '')) AS record_category,
           NULL AS question_category,
           (SELECT min(k.position) FROM keyword_rules AS k
            WHERE contains(coalesce(c.description, ''), k.keyword)) AS rule_position,
           c.department,
           c.severity,
           coalesce(trim(c.status), '') IN (SELECT status FROM excluded_statuses) AS excluded
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
    JOIN responses AS r ON r.file_id = a.file_id AND r.response_id = a.response_id
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
      AND nullif(trim(c.remark), '') IS NOT NULL
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
