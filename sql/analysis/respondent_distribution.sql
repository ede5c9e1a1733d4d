-- How respondents' own satisfaction is spread in month $1 (the band pie
-- and the score histogram of the report).
-- Grain: one row per band (with respondents) and per 10-point bin.
-- Inputs: scored_answers (V6). A respondent's M = Σ values / Σ scale maxima
-- of their answers × 100 (integers: exact in any order).
WITH per_response AS (
    SELECT file_id, response_id, sum(value) / sum(scale_max) * 100 AS m
    FROM scored_answers
    WHERE month = $1
    GROUP BY file_id, response_id
)
SELECT 'band' AS kind,
       CASE WHEN m >= 80 THEN 0 WHEN m >= 70 THEN 1 WHEN m >= 60 THEN 2 ELSE 3 END AS bucket,
       count(*) AS n
FROM per_response
GROUP BY ALL
UNION ALL
SELECT 'histogram', CAST(least(floor(m / 10), 9) AS INTEGER), count(*)
FROM per_response
GROUP BY ALL
ORDER BY kind, bucket;
