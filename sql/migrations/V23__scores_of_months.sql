-- V23: the scores of given months read only the answers of the files that
-- hold those months' responses. The views scored_answers and
-- group_item_scores (V16) read every answer stored and keep the months'
-- only after joining them to their responses: with a year of history the
-- report's three months (the month, the one before, the same month a year
-- earlier) read all thirteen (13 months of a million answers: the group
-- scores 1.0–1.7 s, the hash join probing 12.5 million answers to keep 2.9
-- million). The same definitions now take the months (a list; NULL: every
-- month) and then read the answers of those files only (DuckDB prunes the
-- scan by the semi-join's file ids): scored_answers_in,
-- group_item_scores_in and group_scores_in(respondents, months). The views
-- and group_scores_over (V20) are these over every month (NULL, which
-- folds the filters away: as fast as before), so each rule keeps one
-- definition. Queries over contiguous months need no list: DuckDB already
-- prunes their scans by the range of file ids the join builds (a list
-- there was measured slower).
CREATE MACRO scored_answers_in(months) AS TABLE
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
  AND r.superseded_by IS NULL
  AND (months IS NULL OR list_contains(months, r.month))
  -- Only the files holding responses of the months are read.
  AND (months IS NULL OR a.file_id IN (SELECT file_id FROM responses
                    WHERE list_contains(months, month) AND superseded_by IS NULL));

CREATE OR REPLACE VIEW scored_answers AS
SELECT * FROM scored_answers_in(NULL);

CREATE MACRO group_item_scores_in(months) AS TABLE
WITH cells AS (
    SELECT month, channel, dealer, region, department, indicator, question_key, scale_max,
           count(*) AS n,
           sum(CAST(value AS DECIMAL(18, 4))) AS s,
           sum(CAST(value AS DECIMAL(18, 4)) * CAST(value AS DECIMAL(18, 4))) AS ss
    FROM scored_answers_in(months)
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

CREATE OR REPLACE VIEW group_item_scores AS
SELECT * FROM group_item_scores_in(NULL);

CREATE MACRO group_scores_in(respondents, months) AS TABLE
WITH items AS (
    SELECT dimension,
           group_key,
           month,
           satisfaction_m(sum(q_mean ORDER BY question_key), sum(q_max ORDER BY question_key)) AS score,
           CAST(sum(n_answers) AS BIGINT) AS n_answers,
           sum(pct_sum ORDER BY question_key) AS pct_sum,
           sum(pct_square_sum ORDER BY question_key) AS pct_square_sum
    FROM group_item_scores_in(months)
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
JOIN query_table(respondents) AS r USING (dimension, group_key, month);

CREATE OR REPLACE MACRO group_scores_over(respondents) AS TABLE
SELECT * FROM group_scores_in(respondents, NULL);
