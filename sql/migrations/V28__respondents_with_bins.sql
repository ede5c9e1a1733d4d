-- V28: the report's respondents and their score bins in one statement.
--
-- respondent_distribution.sql grouped the report month's scored answers by
-- response a second time, after report_group_respondents.sql had grouped
-- the same answers by response for its sets (V21): the same join of the
-- answers to their responses, twice. report_respondents_in(months,
-- report_month) is group_respondents_in (V21, V25) with each response's
-- sums of values and of scale maxima beside its sets, and one more
-- dimension, 'score_bin': the report month's respondents by the 10-point
-- bin of their own M (SPEC "Scores"' M over their answers, macro
-- satisfaction_m; 90–100 in bin 9), which respondent_distribution.sql now
-- reads from report_group_respondents. At a 2M-answer month the two
-- statements took 0.29–0.32 s in DuckDB alone, this one 0.21–0.24 s; at
-- 10M 1.65–1.87 s against 1.05–1.22 s; identical rows. group_respondents_in,
-- which the view group_respondents and the trend read, becomes this macro
-- without a report month (so no bins): one definition of who counts.
CREATE MACRO report_respondents_in(months, report_month) AS TABLE
WITH positions AS (
    SELECT question_key,
           CAST(dense_rank() OVER (ORDER BY department) - 1 AS UHUGEINT) AS department_bit,
           CAST(dense_rank() OVER (ORDER BY indicator) - 1 AS UHUGEINT) AS indicator_bit,
           scale_max
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
-- Only the files holding responses of the months are read: their ids as
-- one list, which DuckDB tests as a constant while it scans the answers.
month_files AS (
    SELECT coalesce(list(DISTINCT file_id), []) AS files
    FROM responses
    WHERE list_contains(months, month) AND superseded_by IS NULL
),
answer_sets AS (
    SELECT a.file_id,
           a.response_row,
           bit_or(CAST(1 AS UHUGEINT) << p.department_bit) AS departments,
           bit_or(CAST(1 AS UHUGEINT) << p.indicator_bit) AS indicators,
           sum(a.value) AS value_sum,
           sum(p.scale_max) AS scale_sum
    FROM answers AS a
    JOIN positions AS p USING (question_key)
    WHERE a.value IS NOT NULL
      AND list_contains((SELECT files FROM month_files), a.file_id)
    GROUP BY a.file_id, a.response_row
),
-- One row per respondent: its month, channel, dealer, region (its own
-- customer's, else its dealer's: V6) and sets.
respondents AS (
    SELECT r.month,
           r.channel,
           r.dealer,
           coalesce(cr.region, dr.region) AS region,
           s.departments,
           s.indicators,
           s.value_sum,
           s.scale_sum
    FROM answer_sets AS s
    JOIN responses AS r ON r.file_id = s.file_id AND r.row_number = s.response_row
    LEFT JOIN customer_regions AS cr ON cr.customer_id = r.customer_id
    LEFT JOIN (SELECT name, min(region) AS region FROM customer_regions GROUP BY name) AS dr
           ON dr.name = r.dealer
    WHERE list_contains(months, r.month) AND r.superseded_by IS NULL
),
counted AS (
    SELECT month, channel, dealer, region, departments, indicators,
           grouping(departments) = 1 AS is_profile,
           count(*) AS n
    FROM respondents
    GROUP BY GROUPING SETS ((month, channel, dealer, region), (month, departments, indicators))
),
profiles AS (
    SELECT month, channel, dealer, region, n FROM counted WHERE is_profile
),
sets AS (
    SELECT month, departments, indicators, n FROM counted WHERE NOT is_profile
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
          GROUP BY i.indicator, s.month
-- A respondent's M over their own answers (integers: exact in any order).
UNION ALL SELECT 'score_bin',
                 CAST(CAST(least(floor(satisfaction_m(value_sum, scale_sum) / 10), 9) AS INTEGER) AS VARCHAR),
                 month,
                 count(*)
          FROM respondents
          WHERE month = report_month
          GROUP BY ALL;

CREATE OR REPLACE MACRO group_respondents_in(months) AS TABLE
SELECT * FROM report_respondents_in(months, CAST(NULL AS VARCHAR));
