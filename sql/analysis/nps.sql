-- Net Promoter Score per month (SPEC "Scores").
--
-- Grain: one row per month in [$1, $2] with answers to a 0–10 recommend
-- question (scale nps10).
-- Inputs: scored_answers (V6, V16), question_map.
-- NPS = % promoters (9–10) − % detractors (0–6), over the answers.
SELECT a.month,
       count(*) FILTER (WHERE a.value >= 9) AS promoters,
       count(*) FILTER (WHERE a.value <= 6) AS detractors,
       count(*)                             AS n_answers,
       (count(*) FILTER (WHERE a.value >= 9) - count(*) FILTER (WHERE a.value <= 6)) * 100.0
           / count(*)                       AS nps
FROM scored_answers AS a
JOIN question_map AS q USING (question_key)
WHERE q.scale = 'nps10'
  AND a.month BETWEEN $1 AND $2
GROUP BY a.month
ORDER BY a.month;
