-- How the month's problems got their category, and what was left out
-- (SPEC "Root-cause ranking": nothing is dropped silently).
--
-- Grain: one row per keyword rule (its hits in month $1, 0 when none), then
-- one row per other way of categorising ('record', 'question', 'none') and
-- one for excluded complaints.
-- Inputs: report_problems (V18: the problems view of the report's months,
-- computed once for the report), keyword_rules. Parameters: $1 report month.
SELECT 'keyword' AS kind,
       k.position,
       k.keyword,
       k.category,
       count(p.item_id) AS hits
FROM keyword_rules AS k
LEFT JOIN report_problems AS p
       ON p.rule_position = k.position AND p.month = $1
      AND p.categorised_by = 'keyword' AND NOT p.excluded
GROUP BY k.position, k.keyword, k.category
UNION ALL
SELECT CASE WHEN excluded THEN 'excluded' ELSE categorised_by END,
       NULL, NULL, NULL,
       count(*)
FROM report_problems
WHERE month = $1 AND (excluded OR categorised_by <> 'keyword')
GROUP BY ALL
ORDER BY kind <> 'keyword', position, kind;
