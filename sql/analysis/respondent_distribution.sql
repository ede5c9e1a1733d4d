-- How respondents' own satisfaction is spread in month $1: the score
-- histogram of the report (the band pie is summed from these bins by the
-- band rule, Band::of, whose limits 60/70/80 fall on bin edges).
-- Grain: one row per 10-point bin with respondents (90–100 includes 100).
-- Inputs: scored_answers (V6, V16). A respondent's M is SPEC "Scores"' M over
-- their own answers (macro satisfaction_m, V14; integers: exact in any
-- order).
WITH per_response AS (
    SELECT file_id, response_row, satisfaction_m(sum(value), sum(scale_max)) AS m
    -- scored_answers (V6, V16) of the month, read from the tables: no
    -- region is needed.
    FROM (
        SELECT a.file_id, a.response_row, a.value, q.scale_max
        FROM answers AS a
        JOIN question_map AS q ON q.question_key = a.question_key
        JOIN responses AS r ON r.file_id = a.file_id AND r.row_number = a.response_row
        WHERE a.value IS NOT NULL AND r.superseded_by IS NULL AND r.month = $1
    )
    GROUP BY file_id, response_row
)
SELECT CAST(least(floor(m / 10), 9) AS INTEGER) AS bin, count(*) AS n
FROM per_response
GROUP BY ALL
ORDER BY bin;
