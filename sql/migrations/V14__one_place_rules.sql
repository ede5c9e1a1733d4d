-- V14: each rule of SPEC.md in one place (issue 15).
--
-- 1. item_scores (V2, V3) is read by nothing since group_scores (V6): dropped.
-- 2. Macro satisfaction_m: the satisfaction formula, used by group_scores
--    (redefined here, otherwise as in V13), grading.sql and
--    respondent_distribution.sql. Callers pass the sums (group_scores and
--    grading sum in question order, so the floating result does not depend
--    on the plan; respondent_distribution sums integers, exact in any order).
-- 3. Macros excluded_complaint and complaint_category: the complaint filter
--    and the complaint's root-cause category, used by the problems view
--    (redefined here, otherwise as in V13), lifecycle_items.sql,
--    alert_candidates.sql and comments.sql.

DROP VIEW item_scores;

-- SPEC "Scores", Satisfaction: M = Σ q_i / Σ max_i × 100 over the questions
-- answered (q_i the mean answer of question i, max_i its scale maximum).
CREATE MACRO satisfaction_m(sum_of_means, sum_of_maxima) AS
    sum_of_means / sum_of_maxima * 100;

-- SPEC "Root-cause ranking" / "Complaints, proposals …": a complaint whose
-- status is one of [pareto] excluded_statuses (mirrored in excluded_statuses:
-- invalid, duplicate, withdrawn …) is kept but counts nowhere.
CREATE MACRO excluded_complaint(complaint_status) AS
    coalesce(trim(complaint_status), '') IN (SELECT status FROM excluded_statuses);

-- SPEC "Root-cause ranking": a complaint's category is its root cause, else
-- its category as recorded; NULL when it has neither (keyword rules or
-- 未分类 decide then).
CREATE MACRO complaint_category(root_cause, category) AS
    coalesce(nullif(trim(root_cause), ''), nullif(trim(category), ''));

CREATE OR REPLACE VIEW group_scores AS
WITH items AS (
    SELECT dimension,
           group_key,
           month,
           satisfaction_m(sum(q_mean ORDER BY question_key), sum(q_max ORDER BY question_key)) AS score,
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

-- 4. Macro same_survey_files (was SQL text in store.rs): the older files
--    that count as exports of the same survey as the newly loaded file
--    new_file of source new_source: the same source with the same header
--    layout, or (surveys) the same question numbers and at least half of
--    the new file's respondents (same id and submission time), i.e. the
--    按选项文本 and 按选项序号 exports of one 问卷星 survey. Another
--    questionnaire is never matched. Used by sql/store/supersede_*.sql.
CREATE MACRO same_survey_files(new_file, new_source) AS TABLE
SELECT f.file_id
FROM files AS f, files AS new
WHERE new.file_id = new_file
  AND f.file_id <> new_file
  AND ((f.source = new_source AND f.layout = new.layout)
       OR (f.kind = 'survey' AND new.kind = 'survey' AND new.question_numbers <> ''
           AND f.question_numbers = new.question_numbers
           AND 2 * (SELECT count(*) FROM responses AS o JOIN responses AS n
                      ON o.response_id = n.response_id AND o.submitted_at = n.submitted_at
                    WHERE o.file_id = f.file_id AND n.file_id = new_file)
               >= (SELECT count(*) FROM responses WHERE file_id = new_file)));

-- 5. Macro replaced_response: whether a response (old_month, old_response_id,
--    old_submitted_at) of an older export of the same survey is replaced by
--    the newly loaded file new_file: with `reexport = "replace"`
--    (replaces_months) every response in the months the new file covers;
--    with `append` only those of the same respondents (id and submission
--    time), so new respondents add up and none counts twice.
CREATE MACRO replaced_response(new_file, replaces_months, old_month, old_response_id, old_submitted_at) AS
    CASE WHEN replaces_months
         THEN old_month IN (SELECT DISTINCT month FROM responses WHERE file_id = new_file)
         ELSE EXISTS (SELECT 1 FROM responses AS n
                      WHERE n.file_id = new_file
                        AND n.response_id = old_response_id
                        AND n.submitted_at = old_submitted_at)
    END;
