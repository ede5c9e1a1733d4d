-- V16: group scores without six copies of the answers (issue 16).
--
-- Until V15, group_item_scores and the respondent count read group_answers:
-- every scored answer once per dimension (company, indicator, department,
-- channel, dealer, region), six rows each, and the respondents were a
-- DISTINCT over those six copies (1.4 GB and 3.4 s for two million answers).
-- Now:
-- - group_item_scores sums the answers once per month, question and
--   response-level group (channel, dealer, region: one per response), exact
--   decimal sums, then sums those cells per dimension and group. Decimal
--   sums are exact in any grouping, so every figure is the same, bit for bit.
-- - group_respondents counts respondents per group from one row per
--   response (company, channel, dealer, region) and one per response and
--   department, and per response and indicator (a question-level group).
-- group_scores reads both; its columns and rules are those of V14.
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
    SELECT DISTINCT month, file_id, response_id, channel, dealer, region FROM scored_answers
),
per_department AS (
    SELECT DISTINCT month, file_id, response_id, department FROM scored_answers
),
per_indicator AS (
    SELECT DISTINCT month, file_id, response_id, indicator FROM scored_answers
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
