-- Phone-callback summary (电话回访汇总表, SPEC "Scores").
--
-- Grain: one row per (callback type, dimension): the type's totals repeat on
-- each of its rows; dimension is NULL for a type without answers.
-- Inputs: callbacks, answers, responses, question_map, and the report's
-- answer cells (report_group_cells, V27: Store::snapshot_group_scores writes
-- them before the report's queries run).
-- Parameters: $1 report month.
--
-- planned: callbacks planned or made in the month; reached: of those, reached;
-- problems: reached callbacks with a remark that is not a no-problem text
-- (macro no_problem, V13) or any low answer (≤ the scale's low_max); average
-- per dimension on its own scale, with its answers: the month's cells of the
-- type's channel summed (the same scored answers — current responses, a
-- value, a mapped question — and the same exact decimal sums as the group
-- scores. Reading them rather than joining the answers to their responses a
-- second time: 2M 82–121 → 53–68 ms, 10M 0.95–1.00 → 0.47–0.52 s in DuckDB
-- alone, identical rows; the low answers' filter stays outside the joins —
-- inside them the 2M query took 0.32 s).
WITH calls AS (
    SELECT callback_id, callback_type, reached, remark, file_id
    FROM callbacks
    WHERE superseded_by IS NULL
      AND strftime(coalesce(called_at, CAST(planned_on AS TIMESTAMP)), '%Y-%m') = $1
),
-- The month's scored callback answers (scored_answers, V6 and V16, read
-- from the tables: no region is needed).
callback_answers AS (
    SELECT r.file_id, r.response_id, a.value, q.low_max
    FROM answers AS a
    JOIN question_map AS q ON q.question_key = a.question_key
    JOIN responses AS r ON r.file_id = a.file_id AND r.row_number = a.response_row
    WHERE a.value IS NOT NULL
      AND r.superseded_by IS NULL
      AND r.month = $1
      AND r.channel LIKE 'callback:%'
),
low AS (
    SELECT DISTINCT file_id, response_id
    FROM callback_answers
    WHERE value <= low_max
),
totals AS (
    SELECT c.callback_type,
           count(*) AS planned,
           count(*) FILTER (WHERE c.reached) AS reached,
           count(*) FILTER (WHERE c.reached AND (NOT no_problem(c.remark)
                                                 OR l.response_id IS NOT NULL)) AS problems
    FROM calls AS c
    LEFT JOIN low AS l ON l.file_id = c.file_id AND l.response_id = c.callback_id
    GROUP BY c.callback_type
),
-- Summed per channel, its type taken after (not once per cell).
dimensions AS (
    SELECT substr(channel, 10) AS callback_type, question_key, average, n_answers
    FROM (SELECT channel,
                 question_key,
                 CAST(sum(s) AS DOUBLE) / sum(n) AS average,
                 CAST(sum(n) AS BIGINT) AS n_answers
          FROM report_group_cells
          WHERE month = $1
            AND channel LIKE 'callback:%'
          GROUP BY channel, question_key)
)
SELECT t.callback_type,
       t.planned,
       t.reached,
       t.reached * 100.0 / t.planned AS reach_rate,
       t.problems,
       d.question_key,
       d.average,
       d.n_answers
FROM totals AS t
LEFT JOIN dimensions AS d USING (callback_type)
ORDER BY t.callback_type, d.question_key;
