-- V27: the answer cells of a report's months written by a statement of
-- their own, and the group scores computed from them.
--
-- A report read its months' group scores as `group_scores_over(...) WHERE
-- month IN (...)`: the month filter could not reach below the answer cells
-- that V16's view materialises (a CTE the six dimensions read), so the
-- cells were computed over every month's answers, and DuckDB's plan for
-- the whole statement joined the answers to the responses at half the
-- speed of the cells' query alone (it ran on one core). At a 2M-answer
-- month, the statement took 0.36–0.44 s in DuckDB alone; the cells of the
-- three months into report_group_cells, then the scores from them, 0.18–
-- 0.22 s, identical rows. The trend's months computed again (V23) read only
-- their own answers the same way, no longer every month's.
--
-- group_cells_in(months) is the cells CTE of V16's group_item_scores, of
-- those months; group_scores_of(cells, respondents) is the rest of V16's
-- view and V20's group_scores_over, over the cells' table. The views and
-- group_scores_over stay as they were (for whatever reads every month;
-- tests compare the two).
CREATE MACRO group_cells_in(months) AS TABLE
SELECT month, channel, dealer, region, department, indicator, question_key, scale_max,
       count(*) AS n,
       sum(CAST(value AS DECIMAL(18, 4))) AS s,
       sum(CAST(value AS DECIMAL(18, 4)) * CAST(value AS DECIMAL(18, 4))) AS ss
FROM scored_answers
WHERE list_contains(months, month)
GROUP BY ALL;

CREATE TABLE report_group_cells AS
SELECT * FROM group_cells_in(CAST([] AS VARCHAR[])) LIMIT 0;

CREATE MACRO group_scores_of(cells, respondents) AS TABLE
WITH grouped AS (
    SELECT 'company' AS dimension, '' AS group_key, * FROM query_table(cells)
    UNION ALL SELECT 'indicator', indicator, * FROM query_table(cells)
    UNION ALL SELECT 'department', department, * FROM query_table(cells)
    UNION ALL SELECT 'channel', channel, * FROM query_table(cells)
    UNION ALL SELECT 'dealer', dealer, * FROM query_table(cells) WHERE dealer IS NOT NULL
    UNION ALL SELECT 'region', region, * FROM query_table(cells) WHERE region IS NOT NULL
),
item_scores AS (
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
    GROUP BY dimension, group_key, month, question_key
),
items AS (
    SELECT dimension,
           group_key,
           month,
           satisfaction_m(sum(q_mean ORDER BY question_key), sum(q_max ORDER BY question_key)) AS score,
           CAST(sum(n_answers) AS BIGINT) AS n_answers,
           sum(pct_sum ORDER BY question_key) AS pct_sum,
           sum(pct_square_sum ORDER BY question_key) AS pct_square_sum
    FROM item_scores
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
