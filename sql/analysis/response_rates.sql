-- Response rate, its penalty, and the sample-size check (SPEC "Scores").
--
-- Grain: one row per channel with a dispatch row (问卷发放统计) for month $1.
-- Inputs: dispatch (V6; the latest file for a month and channel counts),
-- responses, sales.
-- Parameters: $1 report month.
-- Columns: channel, sent, returned, rate, penalty, served, required,
-- sufficient, below_threshold (rate < threshold; NULL when sent is unknown),
-- threshold (percent).
--
-- returned = the channel's responses in the month (not superseded);
-- rate = returned / sent × 100; below 50 % the satisfaction drops one point
-- per full 5 points below 50 (42 % → 1, 39 % → 2): the CTE `rule` holds the
-- threshold and the step, the only place they are written; the workbook and
-- the report templates show `threshold` and `below_threshold` from here.
-- The sample needs
-- n = ⌈10 + 5 % · N⌉ responses, N = customers served (from the dispatch row,
-- else the customers with sales in the month).
WITH rule AS (
    -- SPEC "Scores", response-rate penalty: threshold 50 %, step 5 points.
    SELECT 50 AS threshold, 5 AS step
),
latest AS (
    SELECT coalesce(channel, 'questionnaire') AS channel, max(file_id) AS file_id
    FROM dispatch
    WHERE month = $1
    GROUP BY ALL
),
sent AS (
    SELECT l.channel, sum(d.sent) AS sent, sum(d.served) AS served
    FROM latest AS l
    JOIN dispatch AS d ON d.file_id = l.file_id AND d.month = $1
                      AND coalesce(d.channel, 'questionnaire') = l.channel
    GROUP BY l.channel
),
returned AS (
    SELECT channel, count(*) AS returned
    FROM responses
    WHERE month = $1 AND superseded_by IS NULL
    GROUP BY channel
),
served_by_sales AS (
    SELECT count(DISTINCT customer_id) AS served FROM sales WHERE month = $1
),
figures AS (
    SELECT s.channel,
           s.sent,
           coalesce(r.returned, 0) AS returned,
           coalesce(s.served, nullif(b.served, 0)) AS served,
           CASE WHEN s.sent > 0 THEN coalesce(r.returned, 0) * 100.0 / s.sent END AS rate
    FROM sent AS s
    LEFT JOIN returned AS r USING (channel)
    CROSS JOIN served_by_sales AS b
)
SELECT channel,
       sent,
       returned,
       rate,
       CASE WHEN rate < threshold THEN CAST(floor((threshold - rate) / step) AS INTEGER) ELSE 0 END AS penalty,
       served,
       CAST(ceil(10 + 0.05 * served) AS BIGINT) AS required,
       returned >= ceil(10 + 0.05 * served) AS sufficient,
       rate < threshold AS below_threshold,
       CAST(threshold AS DOUBLE) AS threshold
FROM figures
CROSS JOIN rule
ORDER BY channel;
