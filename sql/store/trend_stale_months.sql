-- The months of a report's trend ($4 to $1, the report month) other than
-- its three ($1, $2, $3) that hold current responses and whose company
-- score is not kept for their current inputs (V23), comma-separated ('':
-- none). The store computes only these (trend_respondents.sql,
-- trend_keep.sql); report_company_trend.sql then reads every kept one.
SELECT coalesce(string_agg(i.month, ',' ORDER BY i.month), '') AS months
FROM month_inputs($4, $1) AS i
LEFT JOIN company_month_scores AS c ON c.month = i.month AND c.inputs = i.inputs
WHERE i.month NOT IN ($1, $2, $3)
  AND c.month IS NULL;
