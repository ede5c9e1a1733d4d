-- How respondents' own satisfaction is spread in month $1: the score
-- histogram of the report (the band pie is summed from these bins by the
-- band rule, Band::of, whose limits 60/70/80 fall on bin edges).
-- Grain: one row per 10-point bin with respondents (90–100 includes 100).
-- Inputs: report_group_respondents, written by the report before its
-- queries (sql/store/report_group_respondents.sql): its 'score_bin' rows
-- count the month's respondents by the bin of their M, SPEC "Scores"' M
-- over their own scored answers (macro report_respondents_in, V28).
SELECT CAST(group_key AS INTEGER) AS bin, n_responses AS n
FROM report_group_respondents
WHERE dimension = 'score_bin' AND month = $1
ORDER BY bin;
