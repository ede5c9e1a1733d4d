-- Pareto rankings of root-cause categories (柏拉图, SPEC "Root-cause ranking").
--
-- Grain: one row per (view, scope, category) with problems in month $1.
-- view: 'count' ranks by number of problems, 'weighted' by severity-weighted
-- count (complaint severity 1/2/3 and other problems weighted per
-- [pareto] in the configuration). scope: 'company', or a department key, or
-- '' for problems no department owns (shown, never dropped).
-- Inputs: report_problems (V18: the problems view of months $1 and $2,
-- computed once for the report). Parameters: $1 report month, $2 the month before.
--
-- Order: value descending, then category name; 其他/未分类 always last. The
-- vital few are the categories up to and including the first whose
-- cumulative share reaches 80 %, never 其他/未分类; the test
-- (cumulative before it) · 5 < total · 4 is exact for integer counts.
-- previous_count is the category's count in $2 in the same scope.
WITH items AS (
    SELECT * FROM report_problems WHERE month IN ($1, $2) AND NOT excluded
),
scoped AS (
    SELECT 'company' AS scope, * FROM items
    UNION ALL
    SELECT coalesce(department, '') AS scope, * FROM items
),
counted AS (
    SELECT scope,
           category,
           count(*) FILTER (WHERE month = $1)               AS n,
           coalesce(sum(weight) FILTER (WHERE month = $1), 0) AS weighted,
           count(*) FILTER (WHERE month = $2)               AS previous_n,
           category IN ('其他', '未分类', 'other', 'Other')    AS is_other
    FROM scoped
    GROUP BY scope, category
),
views AS (
    SELECT 'count' AS view, *, CAST(n AS DOUBLE) AS value FROM counted WHERE n > 0
    UNION ALL
    SELECT 'weighted', *, weighted FROM counted WHERE n > 0
),
ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY view, scope ORDER BY is_other, value DESC, category) AS rank,
           sum(value) OVER (PARTITION BY view, scope) AS total
    FROM views
),
running AS (
    SELECT *,
           sum(value) OVER (PARTITION BY view, scope ORDER BY rank
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cumulative
    FROM ranked
)
SELECT view,
       scope,
       rank,
       category,
       n,
       weighted,
       value / total * 100      AS share,
       cumulative / total * 100 AS cumulative_share,
       NOT is_other AND (cumulative - value) * 5 < total * 4 AS vital_few,
       previous_n,
       n - previous_n           AS change
FROM running
ORDER BY view, scope = 'company' DESC, scope, rank;
