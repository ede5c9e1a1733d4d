-- V23: the company's score in the months of a report's trend other than
-- its three (the month, the one before, the same month a year earlier),
-- kept once computed. The trend reads up to ten more months of answers at
-- every report (13 months of a million answers: 4.3–4.6 s of a 9.9–10.9 s
-- report), though a past month's score changes only with what it is
-- computed from: the month's current responses (a file loaded or
-- superseded changes which ones count) and the configuration mirrored into
-- the store (questions, scales; its fingerprint, V22, includes the schema
-- version). month_inputs says both for each month, and a kept score is used
-- only while its month's inputs are the same; a month whose inputs changed,
-- or that was never computed, is computed as before and kept again
-- (sql/store/trend_stale_months.sql, trend_keep.sql, report_company_trend.sql).
CREATE TABLE company_month_scores (
    month        VARCHAR PRIMARY KEY,
    inputs       VARCHAR NOT NULL,
    score        DOUBLE,
    n_answers    BIGINT,
    n_responses  BIGINT,
    pct_variance DOUBLE
);

-- Each month from first_month to last_month with current responses, and
-- what its scores are computed from: the configuration's fingerprint and
-- the count of current responses of each file in it.
CREATE MACRO month_inputs(first_month, last_month) AS TABLE
SELECT month,
       coalesce((SELECT max(fingerprint) FROM config_mirror), '') || ';' ||
       string_agg(CAST(file_id AS VARCHAR) || '=' || CAST(n AS VARCHAR), ',' ORDER BY file_id) AS inputs
FROM (SELECT month, file_id, count(*) AS n
      FROM responses
      WHERE superseded_by IS NULL AND month BETWEEN first_month AND last_month
      GROUP BY month, file_id)
GROUP BY month;
