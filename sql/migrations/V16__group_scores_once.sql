-- V16: group scores without six copies of the answers, and an integer key
-- from an answer to its response (issue 16).
--
-- - answers.response_row: the row of the answer's response in its file
--   (responses.row_number), so an answer finds its response by two integers
--   (file_id, response_row) instead of a string id; filled here for the
--   answers already stored (a file's response ids are unique, ingest checks
--   it), by ingest for new ones. scored_answers joins on it and carries it.
-- - Until V15, group_item_scores and the respondent count read
--   group_answers: every scored answer once per dimension (company,
--   indicator, department, channel, dealer, region), six rows each, and the
--   respondents were a DISTINCT over those six copies (1.4 GB and 3.4 s for
--   two million answers). Now group_item_scores sums the answers once per
--   month, question and response-level group (channel, dealer, region: one
--   per response), exact decimal sums, then sums those cells per dimension
--   and group. Decimal sums are exact in any grouping, so every figure is
--   the same, bit for bit. group_respondents counts respondents per group
--   from one row per response (company, channel, dealer, region) and one
--   per response and department, and per response and indicator (the
--   question-level groups). group_answers is read by nothing now: dropped.
-- group_scores reads both; its columns and rules are those of V14.
ALTER TABLE answers ADD COLUMN response_row INTEGER;

UPDATE answers AS a
SET response_row = r.row_number
FROM responses AS r
WHERE r.file_id = a.file_id AND r.response_id = a.response_id;

DROP VIEW group_answers;

CREATE OR REPLACE VIEW scored_answers AS
SELECT r.month,
       r.file_id,
       r.response_id,
       r.row_number AS response_row,
       r.channel,
       r.dealer,
       coalesce(cr.region, dr.region) AS region,
       a.question_key,
       q.department,
       q.indicator,
       q.scale_max,
       a.value
FROM answers AS a
JOIN responses AS r ON r.file_id = a.file_id AND r.row_number = a.response_row
JOIN question_map AS q ON q.question_key = a.question_key
LEFT JOIN customer_regions AS cr ON cr.customer_id = r.customer_id
-- Dealers are customers too: a response naming a dealer gets its region.
LEFT JOIN (SELECT name, min(region) AS region FROM customer_regions GROUP BY name) AS dr
       ON dr.name = r.dealer
WHERE a.value IS NOT NULL
  AND r.superseded_by IS NULL;

CREATE OR REPLACE VIEW group_item_scores AS
WITH cells AS (
    SELECT month, channel, dealer, region, department, indicator, question_key, scale_max,
           count(*) AS n,
           sum(CAST(value AS DECIMAL(18, 4))) AS s,
           sum(CAST(value AS DECIMAL(18, 4)) * CAST(value AS DECIMAL(18, 4))) AS ss
    FROM scored_answers
    GROUP BY ALL
),
grouped AS (
    SELECT 'company' AS dimension, '' AS group_key, * FROM cells
    UNION ALL SELECT 'indicator', indicator, * FROM cells
    UNION ALL SELECT 'department', department, * FROM cells
    UNION ALL SELECT 'channel', channel, * FROM cells
    UNION ALL SELECT 'dealer', dealer, * FROM cells WHERE dealer IS NOT NULL
    UNION ALL SELECT 'region', region, * FROM cells WHERE region IS NOT NULL
)
SELECT dimension,
       group_key,
       month,
       question_key,
       CAST(sum(s) AS DOUBLE) / sum(n) AS q_mean,
       any_value(scale_max) AS q_max,
       CAST(sum(n) AS BIGINT) AS n_answers,
       CAST(sum(s) AS DOUBLE) * 100 / any_value(scale_max) AS pct_sum,
       CAST(sum(ss) AS DOUBLE) * 10000 / (any_value(scale_max) * any_value(scale_max)) AS pct_square_sum
FROM grouped
GROUP BY dimension, group_key, month, question_key;

-- Respondents through DISTINCT (hash aggregates, which spill to disk under
-- the memory limit) rather than count(DISTINCT …), which does not.
CREATE VIEW group_respondents AS
WITH per_response AS (
    SELECT DISTINCT month, file_id, response_row, channel, dealer, region FROM scored_answers
),
per_department AS (
    SELECT DISTINCT month, file_id, response_row, department FROM scored_answers
),
per_indicator AS (
    SELECT DISTINCT month, file_id, response_row, indicator FROM scored_answers
)
SELECT 'company' AS dimension, '' AS group_key, month, count(*) AS n_responses
FROM per_response GROUP BY month
UNION ALL SELECT 'channel', channel, month, count(*) FROM per_response GROUP BY channel, month
UNION ALL SELECT 'dealer', dealer, month, count(*)
          FROM per_response WHERE dealer IS NOT NULL GROUP BY dealer, month
UNION ALL SELECT 'region', region, month, count(*)
          FROM per_response WHERE region IS NOT NULL GROUP BY region, month
UNION ALL SELECT 'department', department, month, count(*) FROM per_department GROUP BY department, month
UNION ALL SELECT 'indicator', indicator, month, count(*) FROM per_indicator GROUP BY indicator, month;

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
JOIN group_respondents AS r USING (dimension, group_key, month);
