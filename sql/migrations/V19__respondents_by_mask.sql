-- V19: group_respondents (V16) in one pass over the answers. V16 counted
-- respondents through three DISTINCTs over the scored answers (per response,
-- per response and department, per response and indicator): three scans and
-- joins of every answer, 1.0 of the 1.3 s of a report's group scores at two
-- million answers. Now the answers are grouped once per response, which
-- keeps its channel, dealer and region (one each: a response's own, its
-- customer's region, V6) and the set of departments and of indicators its
-- answers touch, as bits of a 128-bit integer (positions: the departments'
-- and indicators' order in question_map; the configuration allows at most
-- 128 of each). A department's respondents are the responses whose set
-- holds its bit, counted over the few distinct sets. Same counts as V16.
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
per_response AS (
    SELECT s.month,
           s.file_id,
           s.response_row,
           any_value(s.channel) AS channel,
           any_value(s.dealer) AS dealer,
           any_value(s.region) AS region,
           bit_or(CAST(1 AS UHUGEINT) << p.department_bit) AS departments,
           bit_or(CAST(1 AS UHUGEINT) << p.indicator_bit) AS indicators
    FROM scored_answers AS s
    JOIN positions AS p USING (question_key)
    GROUP BY s.month, s.file_id, s.response_row
),
sets AS (
    SELECT month, departments, indicators, count(*) AS n
    FROM per_response
    GROUP BY ALL
)
SELECT 'company' AS dimension, '' AS group_key, month, count(*) AS n_responses
FROM per_response GROUP BY month
UNION ALL SELECT 'channel', channel, month, count(*) FROM per_response GROUP BY channel, month
UNION ALL SELECT 'dealer', dealer, month, count(*)
          FROM per_response WHERE dealer IS NOT NULL GROUP BY dealer, month
UNION ALL SELECT 'region', region, month, count(*)
          FROM per_response WHERE region IS NOT NULL GROUP BY region, month
UNION ALL SELECT 'department', d.department, s.month, CAST(sum(s.n) AS BIGINT)
          FROM sets AS s
          JOIN departments_at AS d ON (s.departments >> d.department_bit) & CAST(1 AS UHUGEINT) = 1
          GROUP BY d.department, s.month
UNION ALL SELECT 'indicator', i.indicator, s.month, CAST(sum(s.n) AS BIGINT)
          FROM sets AS s
          JOIN indicators_at AS i ON (s.indicators >> i.indicator_bit) & CAST(1 AS UHUGEINT) = 1
          GROUP BY i.indicator, s.month;
