-- V6: satisfaction of every group (SPEC "Scores"), and questionnaires sent.
--
-- dispatch: 问卷发放统计 rows (month, channel, questionnaires sent, customers
-- served), for the response rate and the sample-size check.
--
-- scored_answers: every answer with a value, of a response no re-export
-- superseded, with its question's department, indicator and scale, and the
-- region of the customer (latest customer master row), else of the dealer
-- named in the response (dealers are in the customer master).
-- group_answers: the same, once per group it belongs to: company, indicator,
-- department, channel, dealer, region.
-- group_item_scores: per group, month and question: q_mean, q_max, n, and
-- the sums of the answers as percentages of the scale (for the variance).
-- group_scores: per group and month, M = Σ q_i / Σ max_i × 100 (sums in
-- question order, so repeatable bit for bit), answers, respondents, and the
-- sample variance of the answers as percentages (for the significance test).
CREATE TABLE dispatch (
    file_id    INTEGER NOT NULL,
    row_number INTEGER NOT NULL,
    month      VARCHAR NOT NULL,
    channel    VARCHAR,
    sent       BIGINT,
    served     BIGINT
);

CREATE VIEW customer_regions AS
SELECT customer_id,
       arg_max(name, CAST(file_id AS BIGINT) * 1000000000 + row_number)   AS name,
       arg_max(region, CAST(file_id AS BIGINT) * 1000000000 + row_number) AS region
FROM customers
GROUP BY customer_id;

CREATE VIEW scored_answers AS
SELECT r.month,
       r.file_id,
       r.response_id,
       r.channel,
       r.dealer,
       coalesce(cr.region, dr.region) AS region,
       a.question_key,
       q.department,
       q.indicator,
       q.scale_max,
       a.value
FROM answers AS a
JOIN responses AS r ON r.file_id = a.file_id AND r.response_id = a.response_id
JOIN question_map AS q ON q.question_key = a.question_key
LEFT JOIN customer_regions AS cr ON cr.customer_id = r.customer_id
-- Dealers are customers too: a response naming a dealer gets its region.
LEFT JOIN (SELECT name, min(region) AS region FROM customer_regions GROUP BY name) AS dr
       ON dr.name = r.dealer
WHERE a.value IS NOT NULL
  AND r.superseded_by IS NULL;

CREATE VIEW group_answers AS
SELECT 'company' AS dimension, '' AS group_key, * FROM scored_answers
UNION ALL SELECT 'indicator', indicator, * FROM scored_answers
UNION ALL SELECT 'department', department, * FROM scored_answers
UNION ALL SELECT 'channel', channel, * FROM scored_answers
UNION ALL SELECT 'dealer', dealer, * FROM scored_answers WHERE dealer IS NOT NULL
UNION ALL SELECT 'region', region, * FROM scored_answers WHERE region IS NOT NULL;

CREATE VIEW group_item_scores AS
SELECT dimension,
       group_key,
       month,
       question_key,
       CAST(sum(CAST(value AS DECIMAL(18, 4))) AS DOUBLE) / count(*) AS q_mean,
       any_value(scale_max) AS q_max,
       count(*) AS n_answers,
       CAST(sum(CAST(value AS DECIMAL(18, 4))) AS DOUBLE) * 100 / any_value(scale_max) AS pct_sum,
       CAST(sum(CAST(value AS DECIMAL(18, 4)) * CAST(value AS DECIMAL(18, 4))) AS DOUBLE)
           * 10000 / (any_value(scale_max) * any_value(scale_max)) AS pct_square_sum
FROM group_answers
GROUP BY dimension, group_key, month, question_key;

CREATE VIEW group_scores AS
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
respondents AS (
    SELECT dimension, group_key, month,
           count(DISTINCT CAST(file_id AS VARCHAR) || ':' || response_id) AS n_responses
    FROM group_answers
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
