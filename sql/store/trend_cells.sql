-- The answer cells of the trend months whose company score is computed
-- again ($1, comma-separated: trend_stale_months.sql), added to
-- report_group_cells for trend_keep.sql (which reads those months only). The
-- report's three months' cells stay beside them: the callback summary and the
-- key drivers read them after (none of the three is a trend month computed
-- here).
INSERT INTO report_group_cells
SELECT * FROM group_cells_in(string_split($1, ','));
