-- V13: schema for the scale work (issue 16), as a migration of its own so
-- that databases already at V12 get it too.
--
-- 1. group_scores (V6): respondents through a DISTINCT (a hash aggregate,
--    which spills to disk under the memory limit) rather than
--    count(DISTINCT …), which does not.
-- 2. problems (V7): a callback remark that says there is nothing to report
--    (无, 没有, 正常, /, N/A …: [pareto] no_problem_texts, mirrored in
--    no_problem_texts already trimmed and lowercased) is no problem: macro
--    no_problem.
-- 3. The problem list item by item (macro month_problem_items), with
--    closed_statuses and problem_deadlines.

CREATE OR REPLACE VIEW group_scores AS
WITH items AS (
    SELECT dimension,
           group_key,
           month,
           sum(q_mean ORDER BY question_key) / sum(q_max ORDER BY question_key) * 100 AS score,
           CAST(sum(n_answers) AS BIGINT) AS n_answers,
           sum(pct_sum ORDER BY question_key) AS pct_sum,
           sum(pct_square_sum ORDER BY question_key) AS pct_square_sum
    FROM group_item_scores
    GROUP BY dimension, group_key, month
),
-- Respondents through a DISTINCT (a hash aggregate, which spills to disk
-- under the memory limit) rather than count(DISTINCT …), which does not.
respondents AS (
    SELECT dimension, group_key, month, count(*) AS n_responses
    FROM (SELECT DISTINCT dimension, group_key, month, file_id, response_id FROM group_answers)
    GROUP BY dimension, group_key, month
)
SELECT i.dimension,
       i.group_key,
       i.month,
       i.score,
       i.n_answers,
       r.n_responses,
       CASE WHEN i.n_answers > 1
            THEN greatest((i.pct_square_sum - i.pct_sum * i.pct_sum / i.n_answers) / (i.n_answers - 1), 0)
       END AS pct_variance
FROM items AS i
JOIN respondents AS r USING (dimension, group_key, month);

CREATE TABLE no_problem_texts (text VARCHAR NOT NULL);

-- True when a remark is blank or a no-problem text once trimmed of spaces
-- and end punctuation (the set of config::NO_PROBLEM_TRIM) and lowercased.
CREATE OR REPLACE MACRO no_problem(remark) AS
    coalesce(lower(trim(remark, ' ' || chr(9) || chr(13) || chr(10) || '　。.!！,，;；~～')), '') = ''
    OR lower(trim(remark, ' ' || chr(9) || chr(13) || chr(10) || '　。.!！,，;；~～'))
       IN (SELECT text FROM no_problem_texts);

CREATE OR REPLACE VIEW problems AS
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

-- The problem list (问题清单) item by item, for month report_month as of
-- today: each problem of the month (view problems, V7; excluded complaints
-- left out) with its action plan's owner, due date and status when an
-- action plan names its id (latest loaded), else its due date from
-- problem_deadlines (filled by csat's working-day calendar for the month's
-- days: severity 1–3 a complaint's answer deadline, 0 any other problem's);
-- closed by the plan's status, else by the complaint's closing date (on or
-- before today) or, without a date, its closing status. Statuses that mean
-- closed are mirrored in closed_statuses (lowercase).
CREATE TABLE closed_statuses (status VARCHAR NOT NULL);
CREATE TABLE problem_deadlines (happened_on DATE NOT NULL, severity INTEGER NOT NULL, due_on DATE NOT NULL);

CREATE OR REPLACE MACRO month_problem_items(report_month, today) AS TABLE
WITH items AS (
    SELECT * FROM problems WHERE month = report_month AND NOT excluded
),
plans AS (
    SELECT item_id,
           nullif(trim(owner), '') AS owner,
           due_on,
           status,
           lower(trim(status)) IN (SELECT status FROM closed_statuses) AS closed
    FROM action_plans_current
),
complaint_states AS (
    SELECT complaint_id,
           CASE WHEN closed_on IS NOT NULL THEN closed_on <= CAST(today AS DATE)
                ELSE lower(trim(coalesce(status, ''))) IN (SELECT status FROM closed_statuses) END AS closed
    FROM complaints_current
)
SELECT i.origin,
       i.item_id,
       i.happened_on,
       i.category,
       i.department,
       CASE WHEN i.origin = 'complaint' THEN i.severity END AS severity,
       p.owner                                   AS plan_owner,
       coalesce(p.due_on, d.due_on)              AS due_on,
       coalesce(p.closed, c.closed, false)       AS closed,
       p.status                                  AS plan_status
FROM items AS i
LEFT JOIN plans AS p ON p.item_id = i.item_id
LEFT JOIN complaint_states AS c ON i.origin = 'complaint' AND c.complaint_id = i.item_id
LEFT JOIN problem_deadlines AS d
       ON d.happened_on = i.happened_on
      AND d.severity = CASE WHEN i.origin = 'complaint'
                            THEN least(greatest(coalesce(i.severity, 3), 1), 3) ELSE 0 END;
