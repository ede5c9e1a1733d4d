-- Satisfaction of every group in a month against the month before and the
-- same month a year earlier (SPEC "Scores").
--
-- Grain: one row per (dimension, group) with answers in $1: dimensions
-- company, indicator, department, channel, dealer, region.
-- Inputs: report_group_scores (V17: group_scores of the three months).
-- Parameters: $1 report month, $2 the month before, $3 the same month a year
-- earlier, $4 the minimum number of respondents for a score to be shown.
--
-- A change is significant when it lies outside the noise: |Δ| > 1.96 · SE,
-- SE = √(s₁²/n₁ + s₀²/n₀) with s² the sample variance of the answers as
-- percentages of their scale and n the answers (Welch's two-sample z-test at
-- 95 %). Groups under $4 respondents are flagged too_small; their changes are
-- never significant.
-- The three months were computed once for the report (report_group_scores,
-- written by store::Store::snapshot_group_scores from the group_scores view).
WITH months AS (SELECT * FROM report_group_scores WHERE month IN ($1, $2, $3)),
     cur AS (SELECT * FROM months WHERE month = $1),
     prev AS (SELECT * FROM months WHERE month = $2),
     ly AS (SELECT * FROM months WHERE month = $3)
SELECT cur.dimension,
       cur.group_key,
       cur.score,
       cur.n_responses,
       cur.n_answers,
       -- SPEC "Scores" (min_n): fewer respondents than $4 are shown as "n too small".
       cur.n_responses < $4                  AS too_small,
       prev.score                            AS previous_score,
       cur.score - prev.score                AS change_previous,
       coalesce(cur.n_responses >= $4 AND prev.n_responses >= $4
           AND abs(cur.score - prev.score)
               > 1.96 * sqrt(cur.pct_variance / cur.n_answers + prev.pct_variance / prev.n_answers),
           false)                            AS significant_previous,
       ly.score                              AS last_year_score,
       cur.score - ly.score                  AS change_last_year,
       coalesce(cur.n_responses >= $4 AND ly.n_responses >= $4
           AND abs(cur.score - ly.score)
               > 1.96 * sqrt(cur.pct_variance / cur.n_answers + ly.pct_variance / ly.n_answers),
           false)                            AS significant_last_year
FROM cur
LEFT JOIN prev USING (dimension, group_key)
LEFT JOIN ly USING (dimension, group_key)
ORDER BY CASE cur.dimension WHEN 'company' THEN 0 WHEN 'indicator' THEN 1 WHEN 'department' THEN 2
                            WHEN 'channel' THEN 3 WHEN 'region' THEN 4 ELSE 5 END,
         cur.dimension, cur.score DESC, cur.group_key;
