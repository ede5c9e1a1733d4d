-- V19: group_respondents (V16) with two passes over the answers instead of
-- three. V16 counted respondents through three DISTINCTs over the scored
-- answers (per response; per response and department; per response and
-- indicator), each a hash table as large as the month's respondents: at ten
-- million answers they did not fit in the database's 192 MB on two threads
-- (the report ran them again on one). Now the per-response DISTINCT stays
-- (channel, dealer, region), and the departments and indicators come from
-- one aggregation per response of the set of departments and of indicators
-- its answers touch, as bits of a 128-bit integer (positions: their order in
-- question_map; the configuration allows at most 128 of each), counted per
-- set: a department's respondents are the responses whose set holds its
-- bit. Same counts as V16. (One aggregation keeping channel, dealer and
-- region beside the sets was faster at two million answers but ran out of
-- memory at ten, even on one thread.)
CREATE OR REPLACE VIEW group_respondents AS
WITH positions AS (
    SELECT question_key,
           CAST(dense_rank() OVER (ORDER BY department) - 1 AS UHUGEINT) AS department_bit,
           CAST(dense_rank() OVER (ORDER BY indicator) - 1 AS UHUGEINT) AS indicator_bit
    FROM question_map
),
departments_at AS (
    SELECT DISTINCT q.department, p.department_bit
    FROM question_map AS q JOIN positions AS p USING (question_key)
),
indicators_at AS (
    SELECT DISTINCT q.indicator, p.indicator_bit
    FROM question_map AS q JOIN positions AS p USING (question_key)
),
-- Respondents alike in month, channel, dealer and region, counted (one row
-- per response through a spillable DISTINCT, each with its channel, dealer
-- and region: one each, a response's own and its customer's region, V6): a
-- few thousand rows, whatever the number of respondents. Read by four
-- branches below, so DuckDB keeps it: it must be small (keeping the
-- responses themselves ran out of memory at ten million answers).
profiles AS (
    SELECT month, channel, dealer, region, count(*) AS n
    FROM (SELECT DISTINCT month, file_id, response_row, channel, dealer, region FROM scored_answers)
    GROUP BY ALL
),
-- Each response's sets of departments and of indicators, counted by set: a
-- few rows per month, whatever the number of respondents.
sets AS (
    SELECT month, departments, indicators, count(*) AS n
    FROM (
        SELECT s.month,
               bit_or(CAST(1 AS UHUGEINT) << p.department_bit) AS departments,
               bit_or(CAST(1 AS UHUGEINT) << p.indicator_bit) AS indicators
        FROM scored_answers AS s
        JOIN positions AS p USING (question_key)
        GROUP BY s.month, s.file_id, s.response_row
    )
    GROUP BY ALL
)
SELECT 'company' AS dimension, '' AS group_key, month, CAST(sum(n) AS BIGINT) AS n_responses
FROM profiles GROUP BY month
UNION ALL SELECT 'channel', channel, month, CAST(sum(n) AS BIGINT) FROM profiles GROUP BY channel, month
UNION ALL SELECT 'dealer', dealer, month, CAST(sum(n) AS BIGINT)
          FROM profiles WHERE dealer IS NOT NULL GROUP BY dealer, month
UNION ALL SELECT 'region', region, month, CAST(sum(n) AS BIGINT)
          FROM profiles WHERE region IS NOT NULL GROUP BY region, month
UNION ALL SELECT 'department', d.department, s.month, CAST(sum(s.n) AS BIGINT)
          FROM sets AS s
          JOIN departments_at AS d ON (s.departments >> d.department_bit) & CAST(1 AS UHUGEINT) = 1
          GROUP BY d.department, s.month
UNION ALL SELECT 'indicator', i.indicator, s.month, CAST(sum(s.n) AS BIGINT)
          FROM sets AS s
          JOIN indicators_at AS i ON (s.indicators >> i.indicator_bit) & CAST(1 AS UHUGEINT) = 1
          GROUP BY i.indicator, s.month;
