-- Company-wide Pareto of problem categories (SPEC "Root-cause ranking").
--
-- Grain: one row per root-cause category with problems in the month.
-- Inputs: complaints_current, answers, responses, question_map, callbacks,
-- keyword_rules.
-- Parameters: $1 report month 'YYYY-MM'.
--
-- Problems are: complaints received in the month (category from the record's
-- root cause, else its complaint category, else 未分类); low answers (value <=
-- the scale's low_max: <= 2 on 5 points, <= 3 on 10/8/6/3/0, detractors 0–6
-- on NPS), categorised by their question; remarks raised on reached callbacks,
-- categorised by the first keyword rule that matches, else 其他. Rows
-- superseded by a re-export (V3) do not count.
-- Order: count descending, then category name; 其他 always last. The vital few
-- are the categories up to and including the first whose cumulative share
-- reaches 80 %, never 其他. The 80 % test uses integer counts, so an exact
-- 80 % is not lost to rounding.
WITH problems AS (
    SELECT coalesce(nullif(trim(root_cause), ''), nullif(trim(category), ''), '未分类') AS category
    FROM complaints_current
    WHERE strftime(received_on, '%Y-%m') = $1
    UNION ALL
    SELECT q.category
    FROM answers AS a
    JOIN responses AS r ON r.file_id = a.file_id AND r.response_id = a.response_id
    JOIN question_map AS q ON q.question_key = a.question_key
    WHERE r.month = $1
      AND r.superseded_by IS NULL
      AND a.value <= q.low_max
    UNION ALL
    SELECT coalesce(
               (SELECT arg_min(k.category, k.position)
                FROM keyword_rules AS k
                WHERE contains(c.remark, k.keyword)),
               '其他') AS category
    FROM callbacks AS c
    WHERE c.reached
      AND c.superseded_by IS NULL
      AND nullif(trim(c.remark), '') IS NOT NULL
      AND strftime(c.called_at, '%Y-%m') = $1
),
counted AS (
    SELECT category,
           count(*) AS n,
           category IN ('其他', 'other', 'Other') AS is_other
    FROM problems
    GROUP BY category
),
ranked AS (
    SELECT *,
           row_number() OVER (ORDER BY is_other, n DESC, category) AS rank,
           sum(n) OVER () AS total
    FROM counted
),
running AS (
    SELECT *,
           sum(n) OVER (ORDER BY rank ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cumulative_n
    FROM ranked
)
SELECT rank,
       category,
       n,
       n / total * 100            AS share,
       cumulative_n / total * 100 AS cumulative_share,
       NOT is_other AND (cumulative_n - n) * 5 < total * 4 AS vital_few
FROM running
ORDER BY rank;
