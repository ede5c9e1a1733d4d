-- The answer cells of the trend months whose company score is computed
-- again ($1, comma-separated: trend_stale_months.sql), into
-- report_group_cells (emptied first by the store), for trend_keep.sql.
INSERT INTO report_group_cells
SELECT * FROM group_cells_in(string_split($1, ','));
