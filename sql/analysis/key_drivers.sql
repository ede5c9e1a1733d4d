-- Key drivers of the outcome question (关键驱动因素): for every other scored
-- question, its importance (Pearson's r between its answers and the
-- outcome's, over the respondents who answered both), the number of those
-- pairs, whether r is significant at 95 %, its performance (item score as %
-- of its scale) and its quadrant. Two views: the report month, and the
-- three months ending with it (steadier).
--
-- Grain: one row per view ('month', 'three_months') and driver question
-- with at least one pair in the view's months.
-- Inputs: answers, responses, files, question_map, and the report's answer
-- cells (report_group_cells, V27) for the performance.
-- Parameters: $1 first month of the three-month view, $2 report month,
-- $3 outcome question key, $4 minimum pairs for an r (`[scores] min_n`,
-- never under 3), $5 keys of questions that are not drivers, comma-separated.
--
-- A respondent's answers to one question are averaged first (a question
-- matched by two columns counts once). Over the n pairs (x driver, y outcome)
--   r = (nΣxy − ΣxΣy) / √((nΣx² − (Σx)²)(nΣy² − (Σy)²)),
-- the sums taken as exact decimals, so r is the same on every run
-- (DuckDB's corr() gives the same value up to its last bits, which depend on
-- the order of a parallel sum). r is NULL under $4 pairs or when either side
-- has no spread.
-- Significance: t = r·√((n−2)/(1−r²)) against the two-sided 5 % critical
-- value t_c of Student's t with n−2 degrees of freedom, written
-- r²(n−2) > t_c²(1−r²) so |r| = 1 needs no division. t_c: the table value
-- for 1–30 degrees of freedom; above, the Cornish–Fisher expansion
-- z + (z³+z)/4ν + (5z⁵+16z³+3z)/96ν² + (3z⁷+19z⁵+17z³−15z)/384ν³ with
-- z = 1.959964, i.e. 1.959964 + 2.372271/ν + 2.822499/ν² + 2.555850/ν³
-- (within 0.0001 of the exact value from ν = 30 on: 2.0395 at 31, 2.0244
-- at 38, 2.0003 at 60).
-- Quadrants: cut lines at the medians of importance and of performance over
-- the view's questions that have an r; a question on a line counts as high.
-- 'focus' 重点改进 (important, low score), 'strength' 优势保持, 'secondary'
-- 次要改进 (less important, low score), 'overinvested' 过度投入.
WITH views(view, first_month) AS (
    VALUES ('month', $2), ('three_months', $1)
),
-- The scored answers (scored_answers, V6 and V16) of the view's months, read
-- from the tables themselves: key drivers need no channel, dealer or region,
-- and the view's joins for them cost a third of this query. Not
-- materialised: read three times, it is cheaper to join again than to keep
-- (0.83 → 0.48 s at 2M answers).
month_responses AS (
    SELECT file_id, row_number AS response_row, month
    FROM responses
    WHERE month BETWEEN $1 AND $2 AND superseded_by IS NULL
),
scored AS NOT MATERIALIZED (
    SELECT r.month, a.file_id, a.response_row, a.question_key, a.value, q.scale_max
    FROM answers AS a
    JOIN question_map AS q ON q.question_key = a.question_key
    JOIN month_responses AS r ON r.file_id = a.file_id AND r.response_row = a.response_row
    WHERE a.value IS NOT NULL
),
-- A respondent's answers to a question, averaged: a response lies in one
-- month. Only a file that answers a question from two columns (V24,
-- files.repeats_questions; unknown for files stored before) can give a
-- response two answers to one question; in any other file the answer is the
-- respondent's, and grouping every answer of the months (one group each) to
-- average them was half of this query.
repeating_files AS (
    SELECT file_id FROM files WHERE repeats_questions IS DISTINCT FROM false
),
averaged AS (
    SELECT s.month,
           s.file_id,
           s.response_row,
           s.question_key,
           CAST(avg(s.value) AS DECIMAL(18, 4)) AS x
    FROM scored AS s
    WHERE s.file_id IN (SELECT file_id FROM repeating_files)
      -- Only respondents who answered the outcome make pairs.
      AND (s.file_id, s.response_row) IN (
          SELECT file_id, response_row FROM scored WHERE question_key = $3)
    GROUP BY s.month, s.file_id, s.response_row, s.question_key
),
-- Not materialised: the outcome's answers and the pairs read it each with
-- their own filter.
respondent_answers AS NOT MATERIALIZED (
    SELECT s.month,
           s.file_id,
           s.response_row,
           s.question_key,
           CAST(s.value AS DECIMAL(18, 4)) AS x
    FROM scored AS s
    WHERE s.file_id NOT IN (SELECT file_id FROM repeating_files)
    UNION ALL
    SELECT * FROM averaged
),
outcome AS (
    SELECT month, file_id, response_row, x AS y
    FROM respondent_answers
    WHERE question_key = $3
),
-- The pair sums per month (a response lies in one month), then per view:
-- exact decimal sums, the same in any grouping, and every pair is joined
-- once rather than once per view.
pairs_by_month AS (
    SELECT d.month,
           d.question_key,
           count(*)           AS n,
           sum(d.x)           AS sx,
           sum(o.y)           AS sy,
           sum(d.x * o.y)     AS sxy,
           sum(d.x * d.x)     AS sxx,
           sum(o.y * o.y)     AS syy
    FROM respondent_answers AS d
    JOIN outcome AS o USING (month, file_id, response_row)
    WHERE d.question_key <> $3
      AND NOT list_contains(string_split($5, ','), d.question_key)
    GROUP BY d.month, d.question_key
),
pairs AS (
    SELECT v.view,
           p.question_key,
           CAST(sum(p.n) AS BIGINT) AS n,
           sum(p.sx)  AS sx,
           sum(p.sy)  AS sy,
           sum(p.sxy) AS sxy,
           sum(p.sxx) AS sxx,
           sum(p.syy) AS syy
    FROM pairs_by_month AS p
    JOIN views AS v ON p.month BETWEEN v.first_month AND $2
    GROUP BY v.view, p.question_key
),
-- A driver's performance is over all its answers in the view's months (not
-- only the paired ones): summed per month as exact decimals, then per view.
-- The answer cells (macro group_cells_in, V27: the one definition of a
-- question's count and exact decimal sum): the report month's and the month
-- before's as the report wrote them (report_group_cells, which
-- Store::snapshot_group_scores writes before the report's queries), the
-- first month of the three's computed here. A third reading of the months'
-- answers joined to their responses spared (2M 153–190 → 102–116 ms, 10M
-- 1.61–1.77 → 1.13–1.15 s in DuckDB alone, identical rows; on a store of
-- 13 months the macro's region joins cost 0.04 s over summing the first
-- month's answers here, a rule written twice).
performance_by_month AS (
    SELECT c.month,
           c.question_key,
           sum(c.s) AS total,
           CAST(sum(c.n) AS BIGINT) AS n_answers,
           any_value(c.scale_max) AS scale_max
    FROM (SELECT * FROM report_group_cells WHERE month > $1 AND month <= $2
          UNION ALL
          SELECT * FROM group_cells_in([$1])) AS c
    WHERE c.question_key IN (SELECT question_key FROM pairs)
    GROUP BY c.month, c.question_key
),
performance AS (
    SELECT v.view,
           p.question_key,
           CAST(sum(p.total) AS DOUBLE) / sum(p.n_answers)
               / any_value(p.scale_max) * 100 AS performance,
           CAST(sum(p.n_answers) AS BIGINT) AS n_answers
    FROM performance_by_month AS p
    JOIN views AS v ON p.month BETWEEN v.first_month AND $2
    GROUP BY v.view, p.question_key
),
correlated AS (
    SELECT p.view,
           p.question_key,
           p.n,
           CAST(p.n - 2 AS DOUBLE) AS df,
           CASE WHEN p.n >= greatest($4, 3) THEN
               CAST(p.n * p.sxy - p.sx * p.sy AS DOUBLE)
               / nullif(sqrt(CAST(p.n * p.sxx - p.sx * p.sx AS DOUBLE)
                             * CAST(p.n * p.syy - p.sy * p.sy AS DOUBLE)), 0)
           END AS r_raw,
           f.performance,
           f.n_answers
    FROM pairs AS p
    JOIN performance AS f USING (view, question_key)
),
critical AS (
    SELECT * FROM (VALUES
        (1, 12.7062), (2, 4.3027), (3, 3.1824), (4, 2.7764), (5, 2.5706),
        (6, 2.4469), (7, 2.3646), (8, 2.3060), (9, 2.2622), (10, 2.2281),
        (11, 2.2010), (12, 2.1788), (13, 2.1604), (14, 2.1448), (15, 2.1314),
        (16, 2.1199), (17, 2.1098), (18, 2.1009), (19, 2.0930), (20, 2.0860),
        (21, 2.0796), (22, 2.0739), (23, 2.0687), (24, 2.0639), (25, 2.0595),
        (26, 2.0555), (27, 2.0518), (28, 2.0484), (29, 2.0452), (30, 2.0423)
    ) AS t(df, t_critical)
),
measured AS (
    SELECT c.view,
           c.question_key,
           c.n,
           -- greatest() and least() skip NULLs: keep a missing r missing.
           CASE WHEN c.r_raw IS NOT NULL THEN least(greatest(c.r_raw, -1.0), 1.0) END AS r,
           CASE WHEN c.n - 2 <= 30 THEN k.t_critical
                ELSE 1.959964 + 2.372271 / c.df + 2.822499 / (c.df * c.df)
                     + 2.555850 / (c.df * c.df * c.df) END AS t_critical,
           c.performance,
           c.n_answers
    FROM correlated AS c
    LEFT JOIN critical AS k ON k.df = c.n - 2
),
cuts AS (
    SELECT view,
           median(r)           AS importance_cut,
           median(performance) AS performance_cut
    FROM measured
    WHERE r IS NOT NULL
    GROUP BY view
)
SELECT m.view,
       m.question_key,
       q.department,
       m.n AS n_pairs,
       m.r AS importance,
       CASE WHEN abs(m.r) < 1 THEN m.r * sqrt((m.n - 2) / (1 - m.r * m.r)) END AS t,
       m.t_critical,
       coalesce(m.r * m.r * (m.n - 2) > m.t_critical * m.t_critical * (1 - m.r * m.r), false)
           AS significant,
       m.performance,
       m.n_answers,
       c.importance_cut,
       c.performance_cut,
       CASE WHEN m.r IS NULL THEN NULL
            WHEN m.r >= c.importance_cut AND m.performance < c.performance_cut THEN 'focus'
            WHEN m.r >= c.importance_cut THEN 'strength'
            WHEN m.performance < c.performance_cut THEN 'secondary'
            ELSE 'overinvested' END AS quadrant
FROM measured AS m
JOIN question_map AS q USING (question_key)
LEFT JOIN cuts AS c USING (view)
ORDER BY CASE m.view WHEN 'month' THEN 0 ELSE 1 END,
         m.r DESC NULLS LAST,
         m.question_key;
